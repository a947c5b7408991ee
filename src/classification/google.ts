import { v2 } from "@google-cloud/language";
import { z } from "zod";
import { googleCategorySchema } from "../queue/jobs";
import type { ClassifierEngine } from "../vocabulary";
import { type Classification, type Classifier, ClassifierError } from "./classifier";
import { classifyGoogleError } from "./google-errors";

export interface GoogleClassifierOptions {
  /** host:port of a local emulator: plain HTTP REST, no credentials. */
  emulatorHost?: string | undefined;
  apiKey?: string | undefined;
  projectId?: string | undefined;
  /** Force REST (HTTP/1.1) even with ADC; tests use it so msw can intercept. */
  rest?: boolean;
  timeoutMs?: number;
  engine?: ClassifierEngine;
}

// zod at the boundary: a response we do not understand is an error, not silently empty labels.
const responseSchema = z.object({
  categories: z.array(googleCategorySchema.loose()).nullish(),
  languageCode: z.string().nullish(),
});

/**
 * Google Cloud Natural Language v2 `documents:classifyText`. We use the v2 API rather than v1 with
 * the V2 model because v2 reports the detected language (stored per event) and always answers with
 * the V2 category set the study used; v1 would need `classificationModelOptions` on every call.
 */
export function createGoogleClassifier(opts: GoogleClassifierOptions): Classifier {
  const client = new v2.LanguageServiceClient(clientOptions(opts));
  const timeout = opts.timeoutMs ?? 30_000;
  return {
    engine: opts.engine ?? (opts.emulatorHost ? "emulator" : "google"),
    async classify(text): Promise<Classification> {
      let raw: unknown;
      try {
        // Retries belong to the queue (backoff, jitter, global limiter), not to gax.
        [raw] = await client.classifyText(
          { document: { type: "PLAIN_TEXT", content: text } },
          { timeout, retry: null },
        );
      } catch (err) {
        const kind = classifyGoogleError(err);
        if (kind) throw new ClassifierError(kind, describe(err), { cause: err });
        throw err;
      }
      const parsed = responseSchema.safeParse(raw);
      if (!parsed.success) throw new ClassifierError("unavailable", "unexpected classifyText response shape");
      return {
        labels: (parsed.data.categories ?? []).map(({ name, confidence }) => ({ name, confidence })),
        language: parsed.data.languageCode || null,
      };
    },
    async warmUp() {
      await client.initialize();
      const rest = Boolean(opts.emulatorHost || opts.apiKey || opts.rest);
      if (!rest) {
        // gRPC with Application Default Credentials: fetching the token is the slow part, and free
        await client.auth.getAccessToken().catch(() => {});
        return;
      }
      // REST: the first request loads the HTTP and auth code paths. Sending it to a port where
      // nothing listens takes them through that without reaching Google or its quota.
      const dead = new v2.LanguageServiceClient({
        fallback: true,
        protocol: "http",
        apiEndpoint: "127.0.0.1",
        port: 1,
        apiKey: "warm-up",
        projectId: "warm-up",
      });
      await dead
        .classifyText(
          { document: { type: "PLAIN_TEXT", content: "warm up" } },
          { timeout: 2000, retry: null },
        )
        .catch(() => {});
      await dead.close();
    },
    async close() {
      await client.close();
    },
  };
}

function clientOptions(
  opts: GoogleClassifierOptions,
): ConstructorParameters<typeof v2.LanguageServiceClient>[0] {
  if (opts.emulatorHost) {
    const [host, port] = opts.emulatorHost.split(":");
    return {
      fallback: true,
      protocol: "http",
      apiEndpoint: host,
      port: Number(port),
      apiKey: "emulator",
      // Without a project id the auth library probes the GCE metadata server.
      projectId: "emulator",
    };
  }
  return {
    ...(opts.apiKey ? { apiKey: opts.apiKey, fallback: true } : {}),
    ...(opts.rest ? { fallback: true } : {}),
    ...(opts.projectId ? { projectId: opts.projectId } : {}),
  };
}

/** A short, content-free description: Google's messages never quote the document, but cap them anyway. */
function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const msg = typeof e.message === "string" ? e.message : String(err);
  const status = /"status"\s*:\s*"([A-Z_]+)"/.exec(msg)?.[1];
  const message = /"message"\s*:\s*"([^"]{0,200})/.exec(msg)?.[1] ?? msg.slice(0, 200);
  return [e.code, status, message].filter(Boolean).join(" ");
}
