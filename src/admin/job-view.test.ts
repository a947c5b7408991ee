import { describe, expect, it } from "vitest";
import { jobView } from "./job-view";

describe("jobView", () => {
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
      name: "a sealed job",
      data: { sealed: "s1.0a1b2c3d.c2VjcmV0", chars: 6, model: "m/x" },
      out: { text: "[not shown: 6 characters]", chars: 6, model: "m/x", answered: false },
    },
    {
      name: "no text field",
      data: { model: "m" },
      out: { model: "m", text: "[not shown]", answered: false },
    },
    { name: "not an object", data: "raw text", out: {} },
    { name: "null", data: null, out: {} },
  ])("$name", ({ data, out }) => {
    expect(jobView(data)).toEqual(out);
    expect(JSON.stringify(jobView(data))).not.toMatch(/secret|raw text|Adult|c2VjcmV0/);
  });
});
