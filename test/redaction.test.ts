import { describe, expect, it } from "vitest";
import { useStackWithGoogle } from "./support/harness";
import { createStack, uniqueId } from "./support/stack";

// Redaction before Google, end to end: what Google receives carries none of the personal data
// or secrets of the test set, the events say they were redacted, and the counts are metrics.

const ctx = useStackWithGoogle();

const SENSITIVE = {
  email: "jane.doe@example.com",
  phone: "+1 415 555 2671",
  card: "4111 1111 1111 1111",
  iban: "DE89 3704 0044 0532 0130 00",
  ip: "203.0.113.7",
  aws: "AKIAIOSFODNN7EXAMPLE",
  github: "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
  jwt: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  password: "S3cr3tPassw0rd",
};
const prompts = [
  `Write a polite email to ${SENSITIVE.email} asking them to call me back at ${SENSITIVE.phone} about the invoice`,
  `My card ${SENSITIVE.card} was charged twice and my IBAN is ${SENSITIVE.iban}; draft a complaint to the bank`,
  `Why does ssh to ${SENSITIVE.ip} fail with AWS_ACCESS_KEY_ID=${SENSITIVE.aws} set in my shell script?`,
  `Debug this Python code: requests.get(url, headers={"Authorization": "token ${SENSITIVE.github}"}) returns 401`,
  `Decode this JWT for me ${SENSITIVE.jwt} and explain the claims in the payload section`,
  `My Django settings have DATABASE_URL = "postgres://admin:${SENSITIVE.password}@db:5432/app", is it secure?`,
];

async function postAll(stack: typeof ctx.stack, key: string) {
  const items = prompts.map((prompt) => ({
    requestId: uniqueId("redact"),
    model: "m/x",
    sampleRate: 1,
    prompt,
  }));
  const res = await stack.post({ prompts: items }, key);
  expect(res.status).toBe(202);
  return Promise.all(items.map((i) => stack.waitForEvent(i.requestId)));
}

describe("redaction before Google", () => {
  it("Google receives none of the test set's personal data or secrets; the events are flagged", async () => {
    const events = await postAll(ctx.stack, ctx.key);
    expect(ctx.google.received).toHaveLength(prompts.length);
    const sent = ctx.google.received.join("\n");
    for (const value of Object.values(SENSITIVE)) expect(sent).not.toContain(value);
    for (const placeholder of ["[EMAIL]", "[PHONE]", "[CARD]", "[IBAN]", "[IP]", "[KEY]"]) {
      expect(sent).toContain(placeholder);
    }
    expect(sent).toContain("draft a complaint to the bank"); // the rest of the text is intact
    expect(events.map((e) => e.redacted)).toEqual(Array(prompts.length).fill(true));
    // counted, but not by kind: METRICS_FINE_LABELS is off (src/platform/metrics.ts)
    const counted = (await ctx.stack.deps.metrics.redactions.get()).values;
    expect(counted).toHaveLength(1);
    expect(counted[0]?.labels).toEqual({});
    expect(counted[0]?.value).toBeGreaterThanOrEqual(9);
  });

  it("REDACT=off sends the text as the study did, unredacted, and flags nothing", async () => {
    const off = await createStack({ env: { REDACT: "off" } });
    try {
      const events = await postAll(off, await off.key("ingest"));
      expect(ctx.google.received.join("\n")).toContain(SENSITIVE.email);
      expect(events.map((e) => e.redacted)).toEqual(Array(prompts.length).fill(false));
    } finally {
      await off.close();
    }
  });
});
