import { beforeEach, describe, expect, it, vi } from "vitest";

// libphonenumber-js is the one costly step of redaction (~10 µs a check): count its checks.
const checks = vi.hoisted(() => ({ n: 0 }));
vi.mock("libphonenumber-js/min", async (importOriginal) => {
  const real = await importOriginal<typeof import("libphonenumber-js/min")>();
  return {
    ...real,
    isValidPhoneNumber: (...args: Parameters<typeof real.isValidPhoneNumber>) => {
      checks.n++;
      return real.isValidPhoneNumber(...args);
    },
  };
});

const { PHONE_CHECKS } = await import("./phone");
const { redact } = await import("./redact");

beforeEach(() => {
  checks.n = 0;
});

describe("phone numbers: a bounded number of checks a text", () => {
  it("a text of many distinct phone-shaped numbers costs PHONE_CHECKS checks, and all of them are redacted", () => {
    const numbers = Array.from({ length: 300 }, (_, i) => `(415) 555-${String(1000 + i)}`);
    const r = redact(numbers.join(", "));
    expect(checks.n).toBe(PHONE_CHECKS);
    expect(r.found).toEqual({ phone: 300 });
    expect(r.text).not.toMatch(/\d/);
  });

  it("a number repeated is checked once", () => {
    redact("call (415) 555-2671 or (415) 555-2671, (415) 555-2671 at worst");
    expect(checks.n).toBe(1);
  });

  it("runs of digits that no phone number can be are never checked", () => {
    redact(`${"1.2.3.4.5.6 ".repeat(200)} ${"0 ".repeat(500)} ${"1234567890123456789".repeat(50)}`);
    expect(checks.n).toBe(0);
  });

  it("within the budget, the check decides", () => {
    expect(redact("call (415) 555-2671").text).toBe("call [PHONE]");
    expect(checks.n).toBe(1);
    expect(redact("call (999) 555-2671").text).toBe("call (999) 555-2671"); // no area code 999
    expect(checks.n).toBe(2);
  });
});
