import type { z } from "zod";
import { AppError } from "../platform/errors";

/** zod parse that fails as a 400 listing each bad field by path (`prompts.3.model`). */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.slice(0, 100).map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
  const first = errors[0];
  throw new AppError(
    "VALIDATION_FAILED",
    first
      ? `${first.path}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`
      : undefined,
    { errors },
  );
}
