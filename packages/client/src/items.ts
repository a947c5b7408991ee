// An item, as the service's ingest schema takes it, and the helpers that make one.

export interface CensusItem {
  requestId: string;
  model: string;
  prompt?: string;
  messages?: { role?: string; content?: string | { type?: string; text?: string }[] | null }[];
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  createdAt?: string;
  sampleRate?: number;
}

type ChatContent = string | { type?: string; text?: string }[] | null | undefined;

/** An item from an OpenAI-style chat request and its response (model, messages, usage). */
export function itemFromChat(
  request: { model: string; messages: { role?: string; content?: ChatContent }[] },
  response: { model?: string; usage?: { prompt_tokens?: number; completion_tokens?: number } } | undefined,
  extra: { requestId: string; costUsd?: number; createdAt?: Date | string },
): CensusItem {
  return {
    requestId: extra.requestId,
    model: response?.model ?? request.model,
    messages: request.messages.map(({ role, content }) => ({ role, content: content ?? null })),
    ...(response?.usage?.prompt_tokens !== undefined ? { promptTokens: response.usage.prompt_tokens } : {}),
    ...(response?.usage?.completion_tokens !== undefined
      ? { completionTokens: response.usage.completion_tokens }
      : {}),
    ...(extra.costUsd !== undefined ? { costUsd: extra.costUsd } : {}),
    ...(extra.createdAt !== undefined ? { createdAt: new Date(extra.createdAt).toISOString() } : {}),
  };
}

/** An item from a plain prompt. */
export function itemFromPrompt(
  prompt: string,
  fields: Omit<CensusItem, "prompt" | "messages" | "createdAt"> & { createdAt?: Date | string },
): CensusItem {
  const { createdAt, ...rest } = fields;
  return {
    ...rest,
    prompt,
    ...(createdAt !== undefined ? { createdAt: new Date(createdAt).toISOString() } : {}),
  };
}
