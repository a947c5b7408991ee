// Reading what the service answers: Retry-After, and the items a 400 or a 202 refused.

/** The wait a 429 or 503 asks for, from Retry-After (seconds or an HTTP date), in ms. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

type FieldErrors = { errors?: { path?: unknown; message?: unknown }[]; detail?: unknown };

function linesOf(problem: FieldErrors): string[] {
  const lines = (problem.errors ?? []).map((e) => `${String(e.path)}: ${String(e.message)}`);
  return lines.length > 0 ? lines : [String(problem.detail ?? "refused")];
}

/** The problem lines of a 400's body (problem+json), or its status if it is not one. */
export function problemsOf(body: string): string[] {
  try {
    return linesOf(JSON.parse(body) as FieldErrors);
  } catch {
    return ["prompt-census answered 400"];
  }
}

/** The items a 202 refused, by index into the batch sent; anything unreadable refuses nothing. */
export function rejectedOf(body: string, size: number): { index: number; problems: string[] }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const rejected = (parsed as { rejected?: unknown } | null)?.rejected;
  if (!Array.isArray(rejected)) return [];
  const seen = new Set<number>();
  return rejected.flatMap((r: FieldErrors & { index?: unknown }) => {
    const index = r?.index;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= size) return [];
    if (seen.has(index)) return [];
    seen.add(index);
    return [{ index, problems: linesOf(r) }];
  });
}
