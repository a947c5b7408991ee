import type { Label } from "../queue/jobs";
import type { ClassifierEngine } from "../vocabulary";

export interface Classification {
  labels: Label[];
  /** BCP-47 code Google detected, when it says. */
  language: string | null;
}

/** What the worker needs from a classifier; Google's client is one implementation. */
export interface Classifier {
  readonly engine: ClassifierEngine;
  classify(text: string, signal?: AbortSignal): Promise<Classification>;
  /** Loads what the first call would (a cold client takes ~100 ms more), without calling Google. */
  warmUp?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Kinds of classifier failure. `quota` and `unreachable` (no answer at all: refused, reset, DNS)
 * hold the whole queue without using attempts, since they say nothing about the job;
 * `unavailable` (a 5xx or a timeout for this call) is retried per job; `too_short`,
 * `unsupported_language` and `invalid` are final outcomes recorded as events; `auth` stops the worker.
 */
export type ClassifierErrorKind =
  | "quota"
  | "unreachable"
  | "unavailable"
  | "too_short"
  | "unsupported_language"
  | "invalid"
  | "auth";

export class ClassifierError extends Error {
  constructor(
    readonly kind: ClassifierErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ClassifierError";
  }
}

export const finalOutcomeKinds = new Set<ClassifierErrorKind>([
  "too_short",
  "unsupported_language",
  "invalid",
]);
