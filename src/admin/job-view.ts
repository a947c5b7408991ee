/**
 * What the queue UI shows of a job's data: anonymous facts only. The text (sealed, or in clear in
 * jobs older than sealing) is replaced by its length, and Google's answer by whether there is
 * one. Pure.
 */
export function jobView(data: unknown): Record<string, unknown> {
  if (typeof data !== "object" || data === null) return {};
  const { text, sealed, answer, ...facts } = data as Record<string, unknown>;
  const chars =
    typeof facts.chars === "number" ? facts.chars : typeof text === "string" ? [...text].length : null;
  return {
    ...facts,
    text: chars === null ? "[not shown]" : `[not shown: ${chars} characters]`,
    answered: answer !== undefined,
  };
}
