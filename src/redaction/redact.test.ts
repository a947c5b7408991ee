import { describe, expect, it } from "vitest";
import { adversarialTexts } from "../../test/redaction-set/adversarial";
import { EDGE_MARGIN, ibanValid, luhnValid, redact, redactHead, WIDEN } from "./redact";

// Every test value below is a published test number or made up; none is anyone's.

describe("redact: each kind, found", () => {
  it.each([
    // e-mail
    ["mail me at jane.doe+llm@example.co.uk please", "mail me at [EMAIL] please", "email"],
    ["<a.b_c@sub.example.org>", "<[EMAIL]>", "email"],
    // phone: national US formats, and any country written internationally
    ["call (415) 555-2671 tonight", "call [PHONE] tonight", "phone"],
    ["my number is +44 20 7946 0958.", "my number is [PHONE].", "phone"],
    ["tel: +49 30 901820", "tel: [PHONE]", "phone"],
    // payment cards, Luhn-checked
    ["card 4111 1111 1111 1111 exp 12/29", "card [CARD] exp 12/29", "card"],
    ["5500-0000-0000-0004", "[CARD]", "card"],
    ["amex 378282246310005", "amex [CARD]", "card"],
    // IBAN, mod-97 checked
    ["IBAN DE89 3704 0044 0532 0130 00 thanks", "IBAN [IBAN] thanks", "iban"],
    ["GB82WEST12345698765432", "[IBAN]", "iban"],
    // IP addresses
    ["ssh root@203.0.113.7 -p 22", "ssh root@[IP] -p 22", "ip"],
    ["server at 2001:db8::8a2e:370:7334 is down", "server at [IP] is down", "ip"],
    // secrets
    ["AWS key AKIAIOSFODNN7EXAMPLE in env", "AWS key [KEY] in env", "key"],
    ["token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "token [KEY]", "key"],
    ["OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "OPENAI_API_KEY=[KEY]", "key"],
    [
      "x-api-key: sk-ant-api03-R2D2C3P0BEEPBOOPBUZZWHIRRCLICKSPINTURNJUMPSKIPHOPDANCESINGPLAYWORKLEARNGROWLOVELIVEigAA",
      "x-api-key: [KEY]",
      "key",
    ],
    ["stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe [KEY]", "key"],
    ["AIzaSyD-1234567890abcdefghijklmnopqrstu", "[KEY]", "key"],
    [
      "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "Bearer [KEY]",
      "key",
    ],
    [
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----\nwhy does it fail?",
      "[KEY]\nwhy does it fail?",
      "key",
    ],
    ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA", "[KEY]", "key"], // cut off
    [
      "postgres://admin:S3cr3tPassw0rd@db.internal:5432/app",
      "postgres://admin:[KEY]@db.internal:5432/app",
      "key",
    ],
    ['password = "hunter2hunter2!"', 'password = "[KEY]"', "key"],
    ['{"api_key": "9f8e7d6c5b4a39281706"}', '{"api_key": "[KEY]"}', "key"],
    ["secret Zx9Qw7Er5Ty3Ui1Op0AsDfGhJkLzXcVbNm48", "secret [KEY]", "key"], // unknown kind, high entropy
  ])("%s", (input, output, kind) => {
    const r = redact(input);
    expect(r.text).toBe(output);
    expect(Object.keys(r.found)).toEqual([kind]);
  });
});

describe("redact: near-misses stay as they are", () => {
  it.each([
    "version 1.2.3.4 of the SDK, then v10.0.0.1",
    "released 2024-01-15 at 12:30:45",
    "pi is 3.14159265358979",
    "order 1234567890 shipped", // 10 digits, not a valid number anywhere
    "the timestamp 1700000000000 in ms",
    "4111 1111 1111 1112 fails Luhn",
    "DE89 3704 0044 0532 0130 01 fails mod 97",
    "std::vector<int> v; a::b::c(); Foo::Bar2",
    "const apiKey = process.env.OPENAI_API_KEY;",
    "password: getPassword()",
    "token = $GITHUB_TOKEN_VALUE",
    "api_key=<your key here>",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "src/components/DatePicker/DatePickerInput.tsx",
    "AbstractSingletonProxyFactoryBean is a class name",
    "import { x } from '@scope/pkg'; @decorator class A {}",
    "git clone git@github.com:org/repo.git",
    "ISBN 978-3-16-148410-0",
    "$1,234,567.89 in revenue",
    "ports 8080 and 5432, 127 users",
    "sk-learn is not a key",
  ])("%s", (input) => {
    expect(redact(input)).toEqual({ text: input, found: {} });
  });
});

describe("redact: mixtures and counts", () => {
  it("counts each kind, keeps the rest of the text, and never overlaps two placeholders", () => {
    const r = redact(
      "I'm ann@example.com, +1 415 555 2671; card 4242424242424242; backup bob@example.org; server 10.0.0.7",
    );
    expect(r.text).toBe("I'm [EMAIL], [PHONE]; card [CARD]; backup [EMAIL]; server [IP]");
    expect(r.found).toEqual({ email: 2, phone: 1, card: 1, ip: 1 });
  });

  it("a URL's credentials are one key, not an e-mail", () => {
    expect(redact("https://user:Tr0ub4dor&3x@example.com/x").text).toBe("https://user:[KEY]@example.com/x");
  });
});

describe("redactHead", () => {
  it("a long prompt: only the head is scanned, and the head is what redact would give", () => {
    const head = "my email is a@example.com. ".repeat(40);
    const text = `${head + "x".repeat(1_000_000)} tail@example.com`;
    const r = redactHead(text, 1000);
    expect(r.text.startsWith(redact(head).text)).toBe(true);
    expect(r.text.length).toBeLessThan(10_000);
  });

  it("a short prompt is redacted whole", () => {
    expect(redactHead("a@example.com", 1000)).toEqual(redact("a@example.com"));
  });

  it("widens its window while placeholders shrink the head below what will be kept", () => {
    const keys = "AKIAIOSFODNN7EXAMPLE ".repeat(500); // 10,500 characters that become 3,000
    const r = redactHead(`${keys}then a@example.com`, 1000);
    expect(r.text.slice(0, 2000)).not.toContain("AKIA");
  });
});

describe("checksums", () => {
  it.each([
    ["4111111111111111", true],
    ["4111111111111112", false],
    ["378282246310005", true],
  ])("luhn %s", (n, ok) => expect(luhnValid(n)).toBe(ok));
  it.each([
    ["DE89370400440532013000", true],
    ["GB82 WEST 1234 5698 7654 32", true],
    ["DE89370400440532013001", false],
    ["XX00", false],
  ])("iban %s", (n, ok) => expect(ibanValid(n)).toBe(ok));
});

describe("redactHead: the window rule", () => {
  const maxChars = 1000;
  const first = 2 * maxChars + EDGE_MARGIN;
  const last = WIDEN * maxChars + EDGE_MARGIN;
  const adversarial = adversarialTexts();

  it.each(Object.keys(adversarial))("%s: the result depends only on the window", (name) => {
    const text = adversarial[name] ?? "";
    const alone = redactHead(text, maxChars);
    for (const tail of ["x", " AKIAIOSFODNN7EXAMPLE", " jane@example.com", "\n".repeat(5000)]) {
      expect(redactHead(text.slice(0, last) + tail, maxChars)).toEqual(alone);
    }
    expect(alone.text.length).toBeLessThanOrEqual(last);
  });

  // Each secret planted at every place around the edge of either window (and, for the long ones,
  // at places all along them): none of it may show, whole or cut. Words make the first window
  // enough; IP addresses shrink the head (15 characters become 4), so the retry's window is the
  // one whose edge is crossed.
  /** `n` base64 characters, the same every run (a Lehmer generator). */
  const blob = (n: number) => {
    const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let x = 7;
    return Array.from({ length: n }, () => {
      x = (x * 48271) % 2147483647;
      return b64[x % 64];
    }).join("");
  };
  const SECRETS: [head: string, secret: string][] = [
    ["AKIA", "AKIAIOSFODNN7EXAMPLE"],
    ["ghp_", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
    [
      "eyJh",
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ],
    ["-----BEGIN", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----"],
    ["Hunt", "password=Hunter2Hunter2"],
    ["4111", "4111 1111 1111 1111"],
    ["DE89", "DE89 3704 0044 0532 0130 00"],
    ["jane", "jane.doe@example.com"],
    ["+44 20", "+44 20 7946 0958"],
    ["2001:db8", "2001:db8::8a2e:370:7334"],
    // longer than the margin: the window's edge cuts them wherever they start before it
    ["Qz9k", `Qz9k${blob(3000)}`],
    ["eyJh", `eyJhbGciOiJIUzI1NiJ9.eyJ${blob(3000).replace(/[+/]/g, "_")}.${"s1G".repeat(15)}`],
    ["Hunt", `password=Hunter${"x".repeat(2000)}42`],
    ["Zq7P", `Authorization: Bearer Zq7P${"abcdefgh".repeat(300)}`],
    ["glpat", `glpat-${"a1B2".repeat(700)}`],
  ];
  const words = "the quick brown fox jumps over the lazy dog ".repeat(400);
  const ips = adversarial["IPv4-dense"] ?? "";
  it.each(
    SECRETS.flatMap(([head, secret]) => [
      { head, secret, filler: "words", edge: first, text: words },
      { head, secret, filler: "IP addresses", edge: last, text: ips },
    ]),
  )("$head… across the edge of the $filler window", ({ head, secret, edge, text }) => {
    const from = Math.max(0, edge - EDGE_MARGIN - secret.length - 8);
    for (let at = from; at <= edge + 2; at += at < edge - EDGE_MARGIN - 40 ? 7 : 1) {
      const out = redactHead(`${text.slice(0, at)} ${secret} ${text.slice(at)}`, maxChars).text;
      if (out.includes(head)) throw new Error(`at ${at}, the output holds ${JSON.stringify(head)}`);
    }
  });

  it("a long token is a [KEY] when its head says so, wherever it ends; a harmless run is kept", () => {
    expect(redactHead(`look: ${blob(120_000)} what is it?`, maxChars)).toEqual({
      text: "look: [KEY]",
      found: { key: 1 },
    });
    const xs = redactHead("x".repeat(50_000), maxChars).text;
    expect(xs.length).toBeGreaterThanOrEqual(maxChars);
    expect(xs).toMatch(/^x+$/);
  });

  it("a private key cut by the window is one [KEY], and nothing follows it", () => {
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${"MIIEowIBAAKCAQEA7\n".repeat(2000)}`;
    expect(redactHead(`fix ${key}-----END RSA PRIVATE KEY----- please`, maxChars)).toEqual({
      text: "fix [KEY]",
      found: { key: 1 },
    });
  });

  it("the retry reads far enough for a pasted key to be followed by the question", () => {
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${"MIIEowIBAAKCAQEA7abcdefghijklmnopqrstuvwxyz0123456789ABCDEF\n".repeat(55)}-----END RSA PRIVATE KEY-----`;
    const question = " why does ssh say the key is invalid? ".repeat(30);
    const r = redactHead(`${key}${question}`, maxChars);
    expect(r.text.startsWith(`[KEY]${question.slice(0, 500)}`)).toBe(true);
  });
});
