import { createHash } from "node:crypto";

// The emulator's brain, kept pure: a deterministic answer for a text, shaped like Google's.

export const V2_LANGUAGES = new Set([
  "zh",
  "zh-Hant",
  "nl",
  "en",
  "fr",
  "de",
  "it",
  "ja",
  "ko",
  "pt",
  "ru",
  "es",
]);
export const V1_LANGUAGES = new Set(["en"]);

const KEYWORDS: ReadonlyArray<readonly [RegExp, string, number]> = [
  [
    /\b(code|function|python|javascript|typescript|bug|compile|sql|regex|debug|stack trace|refactor)\b/i,
    "/Computers & Electronics/Programming/Other",
    0.91,
  ],
  [
    /\b(git|docker|vs ?code|ide|linter|webpack|ci pipeline)\b/i,
    "/Computers & Electronics/Programming/Development Tools",
    0.62,
  ],
  [
    /\b(translate|translation|in french|in spanish|in german)\b/i,
    "/Reference/Language Resources/Foreign Language Resources",
    0.89,
  ],
  [
    /\b(roleplay|role-play|rp|you are my|dungeon master|stay in character)\b/i,
    "/Games/Roleplaying Games",
    0.87,
  ],
  [/\b(poem|poetry|haiku|sonnet)\b/i, "/Books & Literature/Poetry", 0.84],
  [/\b(story|novel|chapter|plot)\b/i, "/Books & Literature/Other", 0.78],
  [
    /\b(email|proofread|rewrite|cover letter|essay)\b/i,
    "/Business & Industrial/Business Services/Writing & Editing Services",
    0.71,
  ],
  [
    /\b(spreadsheet|excel|slides|powerpoint)\b/i,
    "/Computers & Electronics/Software/Business & Productivity Software",
    0.74,
  ],
  [/\b(homework|exam|lesson|teacher|student|curriculum)\b/i, "/Jobs & Education/Education/Other", 0.76],
  [/\b(what is|who was|capital of|define|encyclopedia)\b/i, "/Reference/General Reference/Other", 0.66],
  [/\b(nsfw|explicit|erotic)\b/i, "/Adult", 0.9],
];

const DIRECTIVE = /\[\[emulate:([a-z0-9=-]+)\]\]/gi;

export interface EmulatorRequest {
  content: string;
  /** Language the caller declared, if any. */
  language?: string | undefined;
  /** Which category set the model answers with. */
  categories: "v1" | "v2";
}

export type EmulatorAnswer =
  | { ok: true; categories: { name: string; confidence: number }[]; languageCode: string }
  | { ok: false; httpStatus: number; status: string; message: string };

export interface AnswerOptions {
  v1Paths: readonly string[];
  v2Paths: readonly string[];
  minWords: number;
}

/** Directives embedded in text (`[[emulate:429]]`, `[[emulate:lang=ja]]`) force an error or a language. */
export function directives(content: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, raw] of content.matchAll(DIRECTIVE)) {
    const [key, value] = (raw ?? "").toLowerCase().split("=");
    if (key) found.set(key, value ?? "");
  }
  return found;
}

export function detectLanguage(content: string): string {
  if (/[\u3040-\u30ff]/.test(content)) return "ja";
  if (/[\uac00-\ud7af]/.test(content)) return "ko";
  if (/[\u4e00-\u9fff]/.test(content)) return "zh";
  if (/[\u0400-\u04ff]/.test(content)) return "ru";
  if (/[\u0600-\u06ff]/.test(content)) return "ar";
  return "en";
}

export function answer(req: EmulatorRequest, opts: AnswerOptions): EmulatorAnswer {
  const d = directives(req.content);
  if (d.has("429"))
    return error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Requests' (emulated).");
  if (d.has("503")) return error(503, "UNAVAILABLE", "The service is currently unavailable (emulated).");
  if (d.has("403"))
    return error(403, "PERMISSION_DENIED", "Permission denied on resource project (emulated).");
  if (d.has("too-short")) return tooShort();

  const text = req.content.replace(DIRECTIVE, " ").trim();
  if (text.length === 0) return error(400, "INVALID_ARGUMENT", "The document is empty.");
  const language = req.language ?? d.get("lang") ?? detectLanguage(text);
  const supported = req.categories === "v2" ? V2_LANGUAGES : V1_LANGUAGES;
  if (!supported.has(language)) {
    return error(
      400,
      "INVALID_ARGUMENT",
      `The language ${language} is not supported for classify_text analysis.`,
    );
  }
  const words = text.split(/\s+/).filter(Boolean).length;
  // CJK text has no spaces: count characters there, as Google's tokenizer would split them.
  const tokens = /[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(text) ? Math.ceil(text.length / 2) : words;
  if (tokens < opts.minWords) return tooShort();

  const v2 = KEYWORDS.filter(([re]) => re.test(text)).map(([, name, confidence]) => ({ name, confidence }));
  if (v2.length === 0) v2.push(pick(text, opts.v2Paths));
  const categories = req.categories === "v2" ? v2 : v2.map((c) => toV1(c, text, opts.v1Paths));
  return { ok: true, categories: dedupe(categories).slice(0, 3), languageCode: language };
}

function tooShort(): EmulatorAnswer {
  return error(400, "INVALID_ARGUMENT", "Invalid text content: too few tokens (words) to process.");
}

function error(httpStatus: number, status: string, message: string): EmulatorAnswer {
  return { ok: false, httpStatus, status, message };
}

/** A stable pseudo-random leaf and confidence, so unmatched texts still spread over the taxonomy. */
function pick(text: string, paths: readonly string[]): { name: string; confidence: number } {
  const h = createHash("sha256").update(text).digest();
  const name = paths[h.readUInt32BE(0) % paths.length] ?? "/Reference/General Reference/Other";
  return { name, confidence: 0.35 + (h.readUInt16BE(4) / 65535) * 0.6 };
}

function toV1(c: { name: string; confidence: number }, text: string, v1Paths: readonly string[]) {
  let best = "";
  for (const p of v1Paths)
    if ((c.name === p || c.name.startsWith(`${p}/`)) && p.length > best.length) best = p;
  return best ? { name: best, confidence: c.confidence } : pick(text, v1Paths);
}

function dedupe(cs: { name: string; confidence: number }[]) {
  const seen = new Set<string>();
  return cs.filter((c) => {
    if (seen.has(c.name)) return false;
    seen.add(c.name);
    return true;
  });
}
