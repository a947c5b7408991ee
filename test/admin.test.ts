import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uiMayServe } from "../src/admin/routes";
import { eventIdFor } from "../src/ingest/sampling";
import { createStack, type Stack, TEST_SECRET, uniqueId } from "./support/stack";

// The queue UI at /admin/queues: admin keys only, and no prompt text anywhere in what it serves.

let stack: Stack;
let admin: string;
const CANARY = `canary${randomBytes(6).toString("hex")}`;
const requestId = uniqueId("admin");

beforeAll(async () => {
  stack = await createStack({ worker: false }); // the job stays waiting, text and all
  admin = await stack.key("admin");
  const res = await stack.post(
    { requestId, model: "m/x", prompt: `Write a python function named ${CANARY} that sorts`, sampleRate: 1 },
    await stack.key("ingest"),
  );
  expect(res.status).toBe(202);
});
afterAll(() => stack.close());

const get = (path: string, authorization?: string) =>
  stack.app.request(path, { headers: authorization ? { authorization } : {} });
const basic = (key: string) => `Basic ${Buffer.from(`operator:${key}`).toString("base64")}`;

describe("/admin/queues", () => {
  it("asks a browser for a key, refuses other scopes, opens for admin by Bearer or Basic", async () => {
    const none = await get("/admin/queues");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    expect((await get("/admin/queues", `Bearer ${await stack.key("read")}`)).status).toBe(403);
    expect((await get("/admin/queues", basic(await stack.key("ingest")))).status).toBe(403);
    for (const auth of [`Bearer ${admin}`, basic(admin)]) {
      const page = await get("/admin/queues", auth);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(await page.text()).toContain("static/js/main");
    }
  });

  it("lists the job by id, state and attempts, with its text redacted", async () => {
    const res = await get(
      "/admin/queues/api/queues?activeQueue=classify&status=waiting&page=1",
      `Bearer ${admin}`,
    );
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(eventIdFor(TEST_SECRET, requestId));
    expect(body).toContain("[not shown:");
    expect(body).not.toContain(CANARY);
    expect(body).not.toContain(requestId);
    const job = await get(
      `/admin/queues/api/queues/classify/${eventIdFor(TEST_SECRET, requestId)}`,
      `Bearer ${admin}`,
    );
    expect(job.status).toBe(200);
    expect(await job.text()).not.toContain(CANARY);
  });

  it.each([
    ["PUT", "/api/queues/classify/empty"],
    ["PUT", "/api/queues/classify/obliterate"],
    ["PUT", "/api/queues/classify/clean/waiting"],
    ["PUT", "/api/queues/classify/clean/failed"],
    ["PUT", "/api/queues/classify/:id/clean"],
    ["PUT", "/api/queues/classify/:id/update-data"],
    ["PUT", "/api/queues/classify/:id/delay"],
    ["PUT", "/api/queues/classify/:id/priority"],
    ["PUT", "/api/queues/classify/:id/remove-unprocessed-children"],
    ["POST", "/api/queues/classify/add"],
    ["PUT", "/api/queues/classify/pause"],
    ["PUT", "/api/queues/pause"],
    ["PUT", "/api/queues/classify/concurrency"],
    ["DELETE", "/api/queues/classify/:id"],
    ["PUT", "/api/queues/classify/%65mpty"],
    ["PUT", "/api/queues/classify/empty/"],
  ])("refuses %s %s with 403, and the accepted prompt stays queued, text and all", async (method, path) => {
    const id = eventIdFor(TEST_SECRET, requestId);
    const res = await stack.app.request(`/admin/queues${path.replace(":id", id)}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ data: { text: "overwritten" }, concurrency: 1 }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const job = await stack.deps.queue.getJob(id);
    expect(await job?.getState()).toBe("waiting");
    expect(stack.deps.sealer.open(job?.data.sealed ?? "", id)).toContain(CANARY); // untouched
    expect(await stack.deps.queue.isPaused()).toBe(false);
  });

  it("lets an operator retry failed jobs and promote delayed ones", async () => {
    for (const path of ["/api/queues/classify/retry/failed", "/api/queues/classify/promote"]) {
      const res = await stack.app.request(`/admin/queues${path}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(res.status, path).toBeLessThan(300);
    }
  });
});

describe("uiMayServe", () => {
  it.each([
    ["GET", "/api/queues", true],
    ["GET", "/api/queues/classify/abc123", true],
    ["PUT", "/api/queues/classify/retry/failed", true],
    ["PUT", "/api/queues/classify/retry/completed", false],
    ["PUT", "/api/queues/classify/promote", true],
    ["PUT", "/api/queues/classify/abc123/retry", true],
    ["PUT", "/api/queues/classify/abc123/promote", true],
    ["PUT", "/api/queues/classify/retry/clean", false],
    ["PUT", "/api/queues/classify/empty", false],
    ["PUT", "/api/queues/classify/abc123/clean", false],
    ["POST", "/api/queues/classify/promote/x", false],
    ["PATCH", "/api/queues/classify/abc123/retry/", false],
  ])("%s %s -> %s", (method, path, allowed) => {
    expect(uiMayServe(method, path)).toBe(allowed);
  });
});
