import { createAnswers } from "../classification/answers";
import type { CacheStore } from "../classification/cache";
import { type Classifier, finalOutcomeKinds } from "../classification/classifier";
import { classifyGoogleError, refusedLanguage } from "../classification/google-errors";
import { decisionRuleOf, requestCategory, tagLabels } from "../classification/labels";
import { planItem } from "../ingest/plan";
import type { Metrics } from "../platform/metrics";
import type { Answer } from "../queue/jobs";
import type { Taxonomy } from "../taxonomy/mapping";
import type { Outcome, TextFrom } from "../vocabulary";
import type { Labelled } from "./input";
import type { Judged } from "./score";

// The live path for labelled texts, storing nothing: the ingest's text rule, redaction and cut
// (planItem), the worker's answer (pre-skip, cache, classifier: createAnswers), the worker's
// labels and decision rule. No job, no event, no rollup; the classification cache is used and
// filled like the worker's, so a second run, or one under another mapping, calls nobody.

export interface EvalDeps {
  classifier: Classifier;
  cache?: CacheStore | undefined;
  secret: string;
  minWords: number;
  maxChars: number;
  redact: boolean;
  textFrom: TextFrom;
  metrics: Metrics;
  /** Texts in flight at once. */
  concurrency?: number;
  /** Retries of a quota, 5xx or unreachable answer before the command gives up. */
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** One text's answer; null when the text rule leaves nothing to classify. */
export type EvalAnswer = Pick<Answer, "outcome" | "labels" | "language" | "source"> | null;

function callerOf(deps: EvalDeps) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const retries = deps.retries ?? 6;
  const engine = deps.classifier.engine;
  return async function callGoogle(text: string): Promise<Omit<Answer, "source">> {
    for (let attempt = 0; ; attempt++) {
      const calledAt = Date.now();
      try {
        const r = await deps.classifier.classify(text);
        return { engine, outcome: "classified", labels: r.labels, language: r.language, calledAt };
      } catch (err) {
        const kind = classifyGoogleError(err);
        if (kind && finalOutcomeKinds.has(kind)) {
          const language = kind === "unsupported_language" ? refusedLanguage(err) : null;
          return { engine, outcome: kind as Outcome, labels: [], language, calledAt };
        }
        // the worker holds its queue for these; a one-shot command waits a little, then says why
        if (kind === "auth" || attempt >= retries) {
          throw new Error(`the classifier (${engine}) failed: ${kind ?? "unknown error"}`, { cause: err });
        }
        await sleep(Math.min(500 * 2 ** attempt, 16_000));
      }
    }
  };
}

/** Each text's answer through the live path, in input order. */
export async function answerAll(items: readonly Labelled[], deps: EvalDeps): Promise<EvalAnswer[]> {
  const answers = createAnswers({
    engine: deps.classifier.engine,
    callGoogle: callerOf(deps),
    cache: deps.cache,
    secret: deps.secret,
    minWords: deps.minWords,
    metrics: deps.metrics,
  });
  const settings = {
    secret: deps.secret,
    sampleRate: 1,
    maxChars: deps.maxChars,
    redact: deps.redact,
    textFrom: deps.textFrom,
    source: "live" as const,
    now: new Date(),
  };
  const out: EvalAnswer[] = new Array(items.length).fill(null);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i] as Labelled;
      // sampleRate 1 on the item: taken as is, never sampled out; the id only names the request
      const planned = planItem(
        { requestId: `eval-${i}`, prompt: item.text, model: "eval/eval", sampleRate: 1 },
        settings,
      );
      if (!planned.sampled) continue;
      const { outcome, labels, language, source } = await answers(
        planned.payload.text ?? "",
        planned.payload.chars,
      );
      out[i] = { outcome, labels, language, source };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 4) }, lane));
  return out;
}

/** Pure: what the live path made of each text under a scheme: its outcome and category. */
export function judge(
  items: readonly Labelled[],
  answers: readonly EvalAnswer[],
  taxonomy: Taxonomy,
  threshold: number,
): Judged[] {
  return items.map((item, i) => {
    const a = answers[i];
    if (!a) return { expected: item.expected, outcome: "no_text", predicted: null, labelled: false };
    if (a.outcome !== "classified") {
      return { expected: item.expected, outcome: a.outcome, predicted: null, labelled: false };
    }
    const tagged = tagLabels(taxonomy, a.labels, threshold);
    const rule = decisionRuleOf(taxonomy);
    return {
      expected: item.expected,
      outcome: a.outcome,
      predicted: requestCategory(tagged, rule),
      labelled: tagged.length > 0,
      // what the other decision rule would have said: its effect on this set, at no extra call
      otherRule: requestCategory(tagged, rule === "prefer-named" ? "most-confident" : "prefer-named"),
    };
  });
}
