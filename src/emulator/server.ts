import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { z } from "zod";
import { loadCategoryList } from "../taxonomy/load";
import { answer, type EmulatorAnswer } from "./answer";

// A small stand-in for language.googleapis.com `documents:classifyText` (v1 and v2), speaking
// Google's JSON shapes and error bodies, for development and benchmarks. Tests use msw instead.

export interface EmulatorOptions {
  latencyMs?: number;
  /** Probability in [0, 1] of an injected 429 / 503 per request. */
  errorRate429?: number;
  errorRate503?: number;
  minWords?: number;
  random?: () => number;
  /** Told of every classify request as it arrives and as it is answered (tests and benches count calls). */
  onRequest?: () => void;
  onResponse?: (status: number) => void;
}

// Node's REST client sends enums as numbers (`type: 1`, `contentCategoriesVersion: 2`); curl users send names.
const requestSchema = z.object({
  document: z.object({
    type: z.union([z.literal("PLAIN_TEXT"), z.literal("HTML"), z.literal(1), z.literal(2)]).optional(),
    content: z.string().optional(),
    language: z.string().optional(),
    languageCode: z.string().optional(),
  }),
  classificationModelOptions: z
    .object({
      v2Model: z
        .object({ contentCategoriesVersion: z.union([z.string(), z.number()]).optional() })
        .optional(),
      v1Model: z.object({}).optional(),
    })
    .optional(),
});

const PATH = /^\/(v1|v2)\/documents:classifyText$/;

export function createEmulatorApp(options: EmulatorOptions = {}) {
  const v1Paths = loadCategoryList("google/content-categories-v1.txt");
  const v2Paths = loadCategoryList("google/content-categories-v2.txt");
  const random = options.random ?? Math.random;
  const app = new Hono();

  app.post("*", async (c) => {
    options.onRequest?.();
    const res = await handle(c.req.url, () => c.req.json());
    options.onResponse?.(res.status);
    return res;
  });

  async function handle(url: string, body: () => Promise<unknown>): Promise<Response> {
    const version = PATH.exec(decodeURIComponent(new URL(url).pathname))?.[1];
    if (!version)
      return googleError({
        ok: false,
        httpStatus: 404,
        status: "NOT_FOUND",
        message: "Not found",
      });
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    if (random() < (options.errorRate429 ?? 0)) {
      return googleError({
        ok: false,
        httpStatus: 429,
        status: "RESOURCE_EXHAUSTED",
        message: "Quota exceeded (injected).",
      });
    }
    if (random() < (options.errorRate503 ?? 0)) {
      return googleError({
        ok: false,
        httpStatus: 503,
        status: "UNAVAILABLE",
        message: "The service is currently unavailable (injected).",
      });
    }
    const parsed = requestSchema.safeParse(await body().catch(() => null));
    if (!parsed.success) {
      return googleError({
        ok: false,
        httpStatus: 400,
        status: "INVALID_ARGUMENT",
        message: "Invalid JSON payload received.",
      });
    }
    const { document, classificationModelOptions } = parsed.data;
    const v2Model = version === "v2" || classificationModelOptions?.v2Model !== undefined;
    const result = answer(
      {
        content: document.content ?? "",
        language: document.languageCode ?? document.language,
        categories: v2Model ? "v2" : "v1",
      },
      { v1Paths, v2Paths, minWords: options.minWords ?? 3 },
    );
    if (!result.ok) return googleError(result);
    return Response.json(
      version === "v2"
        ? {
            categories: result.categories.map((x) => ({ ...x, severity: 0 })),
            languageCode: result.languageCode,
            languageSupported: true,
          }
        : { categories: result.categories },
    );
  }
  return app;
}

function googleError(a: Extract<EmulatorAnswer, { ok: false }>): Response {
  return Response.json(
    { error: { code: a.httpStatus, message: a.message, status: a.status } },
    { status: a.httpStatus },
  );
}

export interface RunningEmulator {
  host: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1; port 0 picks a free one. Resolves to "host:port" for LANGUAGE_EMULATOR_HOST. */
export function startEmulator(port: number, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const app = createEmulatorApp(options);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => {
      const address = server.address() as AddressInfo;
      resolve({
        host: `127.0.0.1:${address.port}`,
        // drop keep-alive sockets too: a stopped emulator must look like a Google that is gone
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as import("node:http").Server).closeAllConnections();
          }),
      });
    });
  });
}
