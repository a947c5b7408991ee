import { z } from "@hono/zod-openapi";
import { type Issue, invalid } from "../platform/errors";
import { PROBLEM_CONTENT_TYPE } from "../platform/problem";

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string().openapi({ description: "This HTTP request's id (ours, not the router's)" }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

const descriptions: Record<number | "4XX", string> = {
  400: "Malformed JSON or a schema error; `errors` lists the field paths",
  401: "Missing or invalid API key",
  403: "The key lacks the required scope",
  413: "Body larger than 5 MB",
  415: "Body is not JSON",
  422: "A model or author filter with no released unit in the window (the privacy floor)",
  503: "Postgres or Redis is unavailable; resend (prompts already queued count as duplicates, never twice)",
  // what a route with no input of its own can still meet: another method (405), a malformed request
  "4XX": "A client error, such as another method on this path (405); every error is problem+json",
};

export function problemResponses(...statuses: (number | "4XX")[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: descriptions[s] ?? "Error",
        content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
      },
    ]),
  );
}

/** zod-openapi validation failures become our 400 problem, with field paths, like every other. */
export const validationHook = (result: { success: boolean; error?: unknown }) => {
  if (!result.success) {
    const issues = (result.error as { issues?: Issue[] } | undefined)?.issues ?? [];
    throw invalid("VALIDATION_FAILED", issues, { whole: "(query)" });
  }
};
