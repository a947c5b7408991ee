import { z } from "zod";

export const googleCategorySchema = z.object({
  name: z.string().startsWith("/"),
  confidence: z.number().min(0).max(1),
});

export type Label = z.infer<typeof googleCategorySchema>;

export interface Classification {
  labels: Label[];
  /** BCP-47 code Google detected, when it says. */
  language: string | null;
}

export type Engine = "google" | "emulator";

/** What the worker needs from a classifier; Google's client is one implementation. */
export interface Classifier {
  readonly engine: Engine;
  classify(text: string, signal?: AbortSignal): Promise<Classification>;
  close(): Promise<void>;
}

/**
 * Kinds of classifier failure. `quota`/`unavailable` are retried; `too_short`,
 * `unsupported_language` and `invalid` are final outcomes recorded as events; `auth` stops the worker.
 */
export type ClassifierErrorKind =
  | "quota"
  | "unavailable"
  | "too_short"
  | "unsupported_language"
  | "invalid"
  | "auth";

export class ClassifierError extends Error {
  constructor(
    readonly kind: ClassifierErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "ClassifierError";
  }
}

export const finalOutcomeKinds = new Set<ClassifierErrorKind>([
  "too_short",
  "unsupported_language",
  "invalid",
]);
