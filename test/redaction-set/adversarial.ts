// Texts built to make redaction slow: each is what a pattern, a checksum or libphonenumber would
// spend the most time on, repeated past any window (100 KB). Deterministic (a seeded PRNG), so a
// test and the bench see the same texts. Used by src/redaction tests and `npm run bench`.

/** mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SIZE = 100_000;
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function luhnComplete(prefix: string): string {
  let sum = 0;
  for (let i = 0; i < prefix.length; i++) {
    let d = Number(prefix[prefix.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return prefix + ((10 - (sum % 10)) % 10);
}

/** Each adversarial text by name, `size` code units long (100 KB unless told). */
export function adversarialTexts(size = SIZE, seed = 7): Record<string, string> {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const digits = (n: number) => Array.from({ length: n }, () => int(10)).join("");
  const fill = (unit: () => string) => {
    const parts: string[] = [];
    let length = 0;
    while (length < size) {
      const u = unit();
      parts.push(u);
      length += u.length;
    }
    return parts.join("").slice(0, size);
  };
  const ip = () => `${int(256)}.${int(256)}.${int(256)}.${int(256)}`;
  return {
    "IPv4-dense": fill(() => `${ip()} `),
    "IPv6-dense": fill(() => `2001:db8:${int(65536).toString(16)}::${int(65536).toString(16)} `),
    "nginx log": fill(
      () =>
        `${ip()} - - [10/Oct/2024:13:${digits(2)}:${digits(2)} +0000] "GET /api/v1/items/${digits(6)} HTTP/1.1" 200 ${digits(4)} "-" "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 Safari/537.36"\n`,
    ),
    "dotted digit run": fill(() => "1.2.3."),
    "dotted digit groups": fill(() => `${digits(2)}.${digits(3)}.`),
    "digit run": fill(() => digits(1)),
    "digits with spaces": fill(() => `${int(10)} `),
    "digit groups with spaces": fill(() => `${digits(3)} `),
    "phones, distinct": fill(() => `(${200 + int(800)}) ${200 + int(800)}-${digits(4)} `),
    "international phones, distinct": fill(() => `+44 20 ${digits(4)} ${digits(4)}, `),
    "cards, Luhn-valid": fill(() => `${luhnComplete(`4${digits(14)}`).replace(/(\d{4})(?=\d)/g, "$1 ")}, `),
    "IBAN-shaped": fill(
      () => `DE${digits(2)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(2)} `,
    ),
    "e-mail without a TLD": `a@${fill(() => `${int(10)}.`)}`,
    "e-mail-like labels": fill(() => `x${int(10)}@host-${digits(3)}.sub-${digits(2)}.`),
    "spelled e-mails": fill(() => `name${int(100)} at example${int(10)} dot `),
    "base64 blob": fill(() => BASE64[int(64)] ?? "A"),
    "one letter, 100 KB": "a".repeat(size),
    "JWT heads": fill(() => `ey${BASE64[int(62)]}`),
    "JWT heads with dashes": fill(() => "ey-"),
    "URL schemes without credentials": fill(() => "a://b:c"),
    assignments: fill(() => `password=${digits(8)} `),
    "keywords and spaces": fill(() => `token${" ".repeat(int(50))}`),
    "AWS key ids": fill(
      () => `AKIA${Array.from({ length: 16 }, () => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[int(32)]).join("")} `,
    ),
    "private key, no end": `-----BEGIN RSA PRIVATE KEY-----\n${fill(() => `${BASE64[int(64)]}${int(64) === 0 ? "\n" : ""}`)}`,
    colons: fill(() => (int(4) === 0 ? "1" : ":")),
    "emoji and IPs": fill(() => `😀${ip()} `),
  };
}
