/**
 * What the queue UI shows of a job's data: anonymous facts only. The text is replaced by its
 * length, and Google's answer by whether there is one. Pure.
 */
export function redactJobData(data: unknown): Record<string, unknown> {
  if (typeof data !== "object" || data === null) return {};
  const { text, answer, ...facts } = data as Record<string, unknown>;
  return {
    ...facts,
    text: typeof text === "string" ? `[not shown: ${[...text].length} characters]` : "[not shown]",
    answered: answer !== undefined,
  };
}
