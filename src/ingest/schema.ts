import { z } from "@hono/zod-openapi";
import { MAX_COST_USD, MAX_MODEL_CHARS, MAX_TOKENS, MIN_SAMPLE_RATE, PRINTABLE } from "../vocabulary";
import { inTimeWindow } from "./limits";

export const MAX_ITEMS = 1000;
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

const partSchema = z
  .object({ type: z.string().max(64).optional(), text: z.string().optional() })
  .loose()
  .openapi({ description: "Content part; only `text` parts count." });

const messageSchema = z
  .object({
    role: z.string().max(64).optional(),
    content: z.union([z.string(), z.array(partSchema), z.null()]).optional(),
  })
  .loose();

/** An item's createdAt: also checked alone by the door's quick check (quick.ts). */
export const createdAtSchema = z.iso
  .datetime({ offset: true })
  .refine((v) => inTimeWindow(Date.parse(v)), "must be between 2000-01-01 and one day from now");

const tokens = z.number().int().nonnegative().max(MAX_TOKENS).optional();

export const promptItemSchema = z
  .object({
    requestId: z.string().min(1).max(512).openapi({ description: "The router's id; hashed, never stored." }),
    prompt: z.string().optional(),
    messages: z.array(messageSchema).max(10_000).optional(),
    model: z
      .string()
      .min(1)
      .max(MAX_MODEL_CHARS)
      .regex(PRINTABLE, "must not contain control characters")
      .openapi({ example: "anthropic/claude-sonnet-4.5" }),
    promptTokens: tokens,
    completionTokens: tokens,
    costUsd: z.number().nonnegative().max(MAX_COST_USD).optional(),
    createdAt: createdAtSchema
      .optional()
      .openapi({ description: "ISO time of the original request, from 2000-01-01 to one day ahead" }),
    sampleRate: z.number().min(MIN_SAMPLE_RATE).lte(1).optional().openapi({
      description:
        "Set when the router already sampled: the item is taken as is, at this rate. At least the operator's MIN_SAMPLE_RATE (1e-6 by default).",
    }),
  })
  .superRefine((item, ctx) => {
    if ((item.prompt === undefined) === (item.messages === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["prompt"],
        message: "give exactly one of `prompt` or `messages`",
      });
    }
  })
  .openapi("PromptItem");

export const batchSchema = z
  .object({ prompts: z.array(promptItemSchema).min(1).max(MAX_ITEMS) })
  .openapi("PromptBatch");

/** What the handler checks of a batch as a whole; each item is then judged alone (accept.ts). */
export const batchEnvelopeSchema = z.object({ prompts: z.array(z.unknown()).min(1).max(MAX_ITEMS) });

export const ingestBodySchema = z.union([promptItemSchema, batchSchema]).openapi("IngestBody");

export const ingestResultSchema = z
  .object({
    accepted: z.number().int().openapi({ description: "Items that passed validation" }),
    sampled: z.number().int().openapi({ description: "Items queued for classification" }),
    skipped: z.number().int().openapi({ description: "Items outside the sample" }),
    duplicates: z.number().int().openapi({ description: "Sampled items already queued or stored" }),
  })
  .openapi("IngestResult");

const rejectedItemSchema = z
  .object({
    index: z.number().int().nonnegative().openapi({ description: "The item's place in `prompts`, from 0" }),
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("RejectedItem", {
    description: "One refused item of a batch, as a problem+json body of its own; its neighbours were taken.",
  });

export const ingestAnswerSchema = ingestResultSchema
  .extend({
    rejected: z.array(rejectedItemSchema).openapi({
      description:
        "The batch's items that failed validation, each by index (empty when all passed). They are not counted in `accepted`; resending them unchanged fails again.",
    }),
  })
  .openapi("IngestAnswer");

export type PromptItem = z.infer<typeof promptItemSchema>;
export type IngestResult = z.infer<typeof ingestResultSchema>;
export type IngestAnswer = z.infer<typeof ingestAnswerSchema>;
