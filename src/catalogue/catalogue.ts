import { readFileSync } from "node:fs";
import { z } from "zod";
import { AppError } from "../platform/errors";
import { fromRoot } from "../platform/paths";
import { modelOrigins, modelSizes, modelSources, sizeOf } from "./attributes";

// The catalogue file's shape (config/models/catalogue.json, and an operator's MODEL_CATALOGUE file)
// and how the two are merged. The lookup is ./lookup.ts.

/** `author/model` or a prefix ending in `*`; lower case: ids are compared lower-cased. */
const match = z
  .string()
  .min(2)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9._:/-]*\*?$/, "must be a lower-case model id, or a prefix ending in *");

export const catalogueEntrySchema = z
  .strictObject({
    match,
    source: z.enum(modelSources),
    origin: z.enum(modelOrigins),
    size: z.enum(modelSizes).optional(),
    params: z.number().positive().max(100_000).optional(),
    reasoning: z.boolean(),
    cite: z.url(),
    checked: z.enum(["search", "memory", "operator"]).optional(),
  })
  // sizes are the study's for open models only; a closed model's size is not public
  .refine((e) => e.source === "oss" || (e.size === undefined && e.params === undefined), {
    message: "size and params are for oss models only",
  })
  .refine((e) => e.params === undefined || e.size === sizeOf(e.params), {
    message: "size must be the class of params (small < 15, medium 15-70, large >= 70)",
  });

export const catalogueFileSchema = z.strictObject({
  $comment: z.string().optional(),
  version: z.string().min(1).max(100),
  entries: z.array(catalogueEntrySchema).refine((es) => new Set(es.map((e) => e.match)).size === es.length, {
    message: "each match appears once",
  }),
});

export type CatalogueEntry = z.infer<typeof catalogueEntrySchema>;
export interface Catalogue {
  /** The default's version, with the operator file's after a `+`. */
  version: string;
  entries: CatalogueEntry[];
}

// fromRoot, not this file's folder: the build in dist/ is one file, elsewhere
export const DEFAULT_CATALOGUE = fromRoot("config/models/catalogue.json");

/** Pure: the operator's entries over the default's (same `match`: the operator's wins). */
export function mergeCatalogues(
  base: z.infer<typeof catalogueFileSchema>,
  extra?: z.infer<typeof catalogueFileSchema>,
): Catalogue {
  if (!extra) return { version: base.version, entries: base.entries };
  const byMatch = new Map(base.entries.map((e) => [e.match, e]));
  for (const e of extra.entries) byMatch.set(e.match, e);
  return { version: `${base.version}+${extra.version}`, entries: [...byMatch.values()] };
}

/** Reads and checks one catalogue file; a bad file says which file and what is wrong. */
export function readCatalogueFile(path: string): z.infer<typeof catalogueFileSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new AppError("BAD_REQUEST", `model catalogue ${path}: ${(err as Error).message}`);
  }
  const parsed = catalogueFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
  throw new AppError("BAD_REQUEST", `model catalogue ${path}: ${issues.join("; ")}`);
}

/** The catalogue in use: the shipped default, with the operator's file (MODEL_CATALOGUE) over it. */
export function loadCatalogue(operatorFile?: string): Catalogue {
  const base = readCatalogueFile(DEFAULT_CATALOGUE);
  return mergeCatalogues(base, operatorFile ? readCatalogueFile(operatorFile) : undefined);
}
