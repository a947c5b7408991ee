import { readFileSync } from "node:fs";
import type pg from "pg";
import { createCacheStore } from "../classification/cache";
import { openClassifier } from "../deps";
import type { Env } from "../env";
import type { Logger } from "../platform/logger";
import { createMetrics } from "../platform/metrics";
import { loadTaxonomy } from "../taxonomy/load";
import type { MappingScheme } from "../taxonomy/mapping";
import { saveCalibration } from "./calibrations";
import { parseLabelled } from "./input";
import { renderReport } from "./report";
import { answerAll, judge } from "./run";
import { scoreJudged } from "./score";

// `census eval FILE [--mapping X] [--json] [--save NAME]`: wiring only; the live path is run.ts,
// the numbers score.ts.

export interface EvalOptions {
  mapping?: MappingScheme | undefined;
  json?: boolean | undefined;
  save?: string | undefined;
}

export async function runEval(
  services: { env: Env; pool: pg.Pool; log: Logger },
  file: string,
  o: EvalOptions,
): Promise<void> {
  const { env, pool } = services;
  const items = parseLabelled(file, readFileSync(file, "utf8"));
  const taxonomy = loadTaxonomy(o.mapping ?? env.MAPPING);
  const opened = await openClassifier(env, services.log);
  try {
    const answers = await answerAll(items, {
      classifier: opened.classifier,
      cache: env.CLASSIFY_CACHE_TTL > 0 ? createCacheStore(pool, env.CLASSIFY_CACHE_TTL) : undefined,
      secret: env.HMAC_SECRET,
      minWords: env.MIN_WORDS,
      maxChars: env.MAX_CHARS,
      redact: env.REDACT === "on",
      textFrom: env.TEXT_FROM,
      metrics: createMetrics(),
    });
    const report = scoreJudged(judge(items, answers, taxonomy, env.CONFIDENCE_THRESHOLD));
    const engine = opened.classifier.engine;
    const calls = answers.filter((a) => a?.source === "google").length;
    if (o.save) {
      const replaced = await saveCalibration(pool, {
        name: o.save,
        scheme: taxonomy.scheme,
        mappingVersion: taxonomy.version,
        engine,
        texts: report.scored,
        confusion: report.confusion,
      });
      console.error(
        `calibration ${o.save} ${replaced ? "replaced" : "saved"}: ${report.scored} classified texts, counts only`,
      );
    }
    if (o.json) console.log(JSON.stringify(report));
    else {
      const header = `census eval ${file}: scheme ${taxonomy.version}, engine ${engine}, threshold ${env.CONFIDENCE_THRESHOLD}; ${calls} classifier calls, ${answers.filter((a) => a?.source === "cache").length} cached answers`;
      console.log(renderReport(report, header));
    }
  } finally {
    await opened.classifier.close().catch(() => {});
    await opened.closeEmulator?.();
  }
}
