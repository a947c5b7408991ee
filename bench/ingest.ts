import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Deps } from "../src/deps";
import { startHttp } from "../src/runtime";
import { type CpuTimes, interleaved, load, row, spread, withCpu } from "./lib";

// POST /v1/prompts through the real server (auth, streaming cap, zod, sampling, enqueue) against
// a bare Hono server that only parses the same JSON and answers 202: the cost of our pipeline.

const TEXT =
  "Write a TypeScript function that parses a CSV line with quoted fields and explain the edge cases. ".repeat(
    4,
  );

function batch(offset: number, size: number, sampleRate?: number) {
  return JSON.stringify({
    prompts: Array.from({ length: size }, (_, i) => ({
      requestId: `bench-${process.pid}-${offset}-${i}-${Math.random()}`,
      model: "anthropic/claude-sonnet-4.5",
      prompt: TEXT,
      promptTokens: 120,
      completionTokens: 400,
      ...(sampleRate ? { sampleRate } : {}),
    })),
  });
}

async function bareServer(): Promise<{ port: number; close(): void }> {
  const app = new Hono();
  app.post("/v1/prompts", async (c) => {
    const body = (await c.req.json()) as { prompts: unknown[] };
    return c.json({ accepted: body.prompts.length }, 202);
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () =>
      resolve({ port: (server.address() as AddressInfo).port, close: () => server.close() }),
    );
  });
}

export async function benchIngest(deps: Deps, key: string, requests: number) {
  console.log(`\n## ingest: ${requests} POSTs of 100 items each, 16 in flight (and half as many at 48)`);
  const bare = await bareServer();
  const http = await startHttp(deps, 0);
  const post = (port: number, body: string | Uint8Array) =>
    fetch(`http://127.0.0.1:${port}/v1/prompts`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status === 202;
    });
  const bodies = Array.from({ length: 50 }, (_, i) => batch(i, 100));
  const sampled = Array.from({ length: 50 }, (_, i) => batch(i + 1000, 100, 1));
  // Warm-up past the JIT's first calls: the door's sampled path (zod, redaction, planning,
  // sealing, BullMQ's add) runs for 1 item in 400, so 100 posts left it cold through the timed
  // rounds (zod and planning: ~135 us an item over their first 500 calls, ~65 up to 5,000, ~32
  // after; 60 posts instead of 20 did not move the ratio). Both servers get the same 20 fully
  // sampled posts first; the bare one only parses them.
  for (const port of [bare.port, http.port])
    await load(20, 4, (i) => post(port, sampled[i % 50]?.replace(/bench-/g, `w${port}-`) ?? ""));
  await load(100, 16, (i) => post(bare.port, bodies[i % 50] ?? ""));
  await load(100, 16, (i) => post(http.port, batch(i + 5000, 100)));
  // Built before timing, as bytes: the client then only sends them (encoding a 50 KB string
  // per request was client work shared by both sides, and cheaper for a string sent before: the
  // baseline used to repeat 50 bodies). Each server gets bodies of its own, alike in shape.
  const fresh = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => Buffer.from(batch(from + i, 100)));
  const none = () => ({ self: 0, gc: 0, redis: 0, postgres: 0 });
  /**
   * Both servers in interleaved rounds, `inFlight` requests at a time, each with fresh bodies; the
   * candidate is the door unless `candidate` names another port (bare Hono against itself).
   */
  const pair = async (n: number, inFlight: number, from: number, candidate = http.port) => {
    const rounds = 6;
    const per = Math.ceil(n / rounds);
    // every round gets its `per` bodies: ceil() can ask for a few more than n
    const [bareBodies, liveBodies] = [fresh(from, per * rounds), fresh(from + per * rounds, per * rounds)];
    const cpu = { bare: none(), live: none() };
    const send = (port: number, bodies: Buffer[], round: number) =>
      load(per, inFlight, (i) => post(port, bodies[round * per + i] ?? ""));
    const [base, live, ratios] = await interleaved(
      rounds,
      (round) => withCpu(cpu.bare, () => send(bare.port, bareBodies, round)),
      (round) => withCpu(cpu.live, () => send(candidate, liveBodies, round)),
    );
    return { base, live, cpu, ratios };
  };
  const { base, live, cpu, ratios } = await pair(requests, 16, 0);
  row("baseline: bare Hono JSON parse + 202", base);
  row("POST /v1/prompts, SAMPLE_RATE 0.25%", live, base);
  console.log(`  round by round: ${spread(ratios)}`);
  // Where the machine's CPU went (client and server share this process, as above): the door's
  // sampled items also cost Redis and Postgres, which share the machine's cores with it.
  const perRequest = (t: CpuTimes, n: number) =>
    `this process ${((t.self * 1000) / n).toFixed(0)} us (GC ${((t.gc * 1000) / n).toFixed(0)}), Redis ${((t.redis * 1000) / n).toFixed(0)} us, Postgres ${((t.postgres * 1000) / n).toFixed(0)} us`;
  console.log(
    `  CPU a request: baseline ${perRequest(cpu.bare, base.requests)}; door ${perRequest(cpu.live, live.requests)}`,
  );
  // A sampled request waits for its flush (two round trips, while other flushes queue), holding
  // one of the 16 client slots: at 48 in flight that costs the door less (README), and bare
  // Hono's own GC grows with the parsed bodies in flight.
  const wide = await pair(Math.ceil(requests / 2), 48, 4 * requests);
  row("baseline at 48 in flight", wide.base);
  row("POST /v1/prompts at 48 in flight", wide.live, wide.base);
  console.log(`  round by round: ${spread(wide.ratios)}`);
  // The bench's own noise in this run: the same pair with bare Hono in both slots.
  const self = await pair(Math.ceil(requests / 2), 16, 8 * requests, bare.port);
  row("bare Hono against itself (the noise)", self.live, self.base);
  console.log(`  round by round: ${spread(self.ratios)}`);
  const all = await load(Math.floor(requests / 4), 16, (i) =>
    post(http.port, sampled[i % 50]?.replace(/bench-/g, `b${i}-`) ?? ""),
  );
  row("POST /v1/prompts, every item sampled (100 jobs)", all, base);
  console.log(
    `  items/s at 0.25%: ${(live.perSecond * 100).toFixed(0)}; fully sampled: ${(all.perSecond * 100).toFixed(0)}`,
  );
  bare.close();
  await http.close();
}
