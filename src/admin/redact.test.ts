import { describe, expect, it } from "vitest";
import { redactJobData } from "./redact";

describe("redactJobData", () => {
  it.each([
    {
      name: "a waiting job",
      data: { text: "my secret prompt 😀", chars: 18, model: "m/x", source: "live" },
      out: { text: "[not shown: 18 characters]", chars: 18, model: "m/x", source: "live", answered: false },
    },
    {
      name: "a job with Google's answer",
      data: { text: "x", answer: { labels: [{ name: "/Adult", confidence: 0.9 }] } },
      out: { text: "[not shown: 1 characters]", answered: true },
    },
    {
      name: "no text field",
      data: { model: "m" },
      out: { model: "m", text: "[not shown]", answered: false },
    },
    { name: "not an object", data: "raw text", out: {} },
    { name: "null", data: null, out: {} },
  ])("$name", ({ data, out }) => {
    expect(redactJobData(data)).toEqual(out);
    expect(JSON.stringify(redactJobData(data))).not.toMatch(/secret|raw text|Adult/);
  });
});
