import { extractText, truncateCodePoints } from "../src/ingest/text";
import { redactHead } from "../src/redaction/redact";
import { routerStream } from "./cost";

// What redaction costs per item at ingest, on the cost bench's router stream (system prompts,
// user turns, short messages) with one item in five carrying personal data or a secret, against
// the same items cut to MAX_CHARS without redaction, in one run.

const PII = [
  "reach me at jane.doe@example.com or +1 415 555 2671",
  "card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00",
  "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE and the server is 203.0.113.7",
  'headers = {"Authorization": "token ghp_abcdefghijklmnopqrstuvwxyz0123456789"}',
];

function timeEach(texts: readonly string[], run: (t: string) => unknown) {
  const micros: number[] = [];
  for (const t of texts) {
    const started = process.hrtime.bigint();
    run(t);
    micros.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  micros.sort((a, b) => a - b);
  const at = (q: number) => micros[Math.min(micros.length - 1, Math.floor(q * micros.length))] ?? 0;
  return { mean: micros.reduce((a, b) => a + b, 0) / micros.length, p50: at(0.5), p99: at(0.99) };
}

export function benchRedaction(n: number, maxChars = 1000) {
  const texts = routerStream(n, 7).map((item, i) => {
    const text = extractText(item);
    return i % 5 === 0 ? `${text}\n${PII[i % PII.length]}` : text;
  });
  const cut = (t: string) => truncateCodePoints(t, maxChars);
  const full = (t: string) => cut(redactHead(t, maxChars).text);
  for (const t of texts.slice(0, 200)) full(t); // warm the regular expressions and metadata
  const base = timeEach(texts, cut);
  const redacted = timeEach(texts, full);
  const found = texts.filter((t) => Object.keys(redactHead(t, maxChars).found).length > 0).length;
  console.log(
    `\n## redaction: ${n} router items (1 in 5 with personal data or a secret), MAX_CHARS=${maxChars}`,
  );
  const row = (name: string, r: typeof base) =>
    `${name.padEnd(28)} mean ${r.mean.toFixed(1).padStart(7)} µs  p50 ${r.p50.toFixed(1).padStart(7)} µs  p99 ${r.p99.toFixed(1).padStart(7)} µs`;
  console.log(row("baseline: extract and cut", base));
  console.log(
    `${row("redact, then cut", redacted)}  | ${(redacted.mean / base.mean).toFixed(1)}x baseline, +${(redacted.mean - base.mean).toFixed(1)} µs an item; ${found} items redacted`,
  );
}
