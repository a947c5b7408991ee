import { Option } from "commander";
import { z } from "zod";
import { invalid } from "../platform/errors";

/** `createdAtField` -> `--created-at-field`: how an option's path reads in a usage error. */
const flag = (path: string) => `--${path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * What commander collected, checked and typed by the command's zod schema. Commander declares
 * the options (their help, defaults and choices); the schema says what a value must be.
 */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw invalid("USAGE", result.error.issues, { whole: "(arguments)", name: flag });
}

/** A number given on the command line, within bounds. */
export const numberIn = (min: number, max: number) => z.coerce.number().min(min).max(max);

/** A positive whole number given on the command line. */
export const positiveInt = () => z.coerce.number().int().positive();

/** `YYYY-MM-DD`, a real day. */
export const isoDay = () =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD")
    .refine((v) => !Number.isNaN(Date.parse(v)), "must be a date, YYYY-MM-DD");

/** An ISO date or time, as a Date. */
export const isoTime = () =>
  z
    .string()
    .transform((v) => new Date(v))
    .refine((d) => !Number.isNaN(d.getTime()), "must be an ISO date or time, e.g. 2025-05-01");

/** `--mapping <scheme>`, shared by `taxonomy` and `remap`. */
export const mappingOption = (schemes: readonly string[]) =>
  new Option("--mapping <scheme>", "mapping scheme (default: MAPPING, else study-2025)").choices(schemes);
