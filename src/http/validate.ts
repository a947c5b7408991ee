import type { z } from "zod";
import { invalid } from "../platform/errors";

/** zod parse that fails as a 400 listing each bad field by path (`prompts.3.model`). */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalid("VALIDATION_FAILED", result.error.issues, { whole: "(body)" });
}
