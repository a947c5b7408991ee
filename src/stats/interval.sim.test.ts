import { describe, expect, it } from "vitest";
import { prng } from "../platform/prng";
import { shareIntervals } from "./interval";

// The intervals the stats API gives, proven against a known truth: a fixed population of events
// with known shares (1% to 60% of the named categories' requests, heavy-tailed token counts,
// prices that vary 30-fold, an `others` category outside the shares), sampled 1,000 times the way
// the service samples (Bernoulli, two sample rates). A 95% interval must cover the population's
// share 93-97% of the time, for requests, tokens and spend. shareIntervals is the function the
// service calls, on the same per-row sums the rollups keep.

const SHARES = [0.01, 0.04, 0.1, 0.25, 0.6];
const NAMED = 150_000;
const OTHERS = 30_000;
const RATES = [0.01, 0.02];
const SAMPLES = 1000;
type Weight = "requests" | "tokens" | "spend";
const WEIGHTS: Weight[] = ["requests", "tokens", "spend"];

interface Event {
  category: number; // index into SHARES; SHARES.length is `others`
  tokens: number;
  spend: number;
  rate: number;
}

function population(random: () => number): Event[] {
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const prices = [0.5e-6, 3e-6, 15e-6]; // USD per token of three models
  const event = (category: number): Event => {
    // log-normal prompt + completion tokens: median ~600, a long tail into the tens of thousands,
    // with categories that differ in length so token shares differ from request shares
    const tokens = Math.max(1, Math.round(600 * Math.exp(0.4 * (category % 3) + 1.2 * normal())));
    const price = prices[Math.floor(random() * prices.length)] ?? 0;
    const priced = random() < 0.8; // some events carry no cost
    return { category, tokens, spend: priced ? tokens * price : 0, rate: RATES[random() < 0.5 ? 0 : 1] ?? 1 };
  };
  const out: Event[] = [];
  SHARES.forEach((s, c) => {
    for (let i = 0; i < Math.round(s * NAMED); i++) out.push(event(c));
  });
  for (let i = 0; i < OTHERS; i++) out.push(event(SHARES.length));
  return out;
}

const weightOf = (e: Event, w: Weight) => (w === "requests" ? 1 : w === "tokens" ? e.tokens : e.spend);

function trueShares(pop: Event[], w: Weight): number[] {
  const sums = SHARES.map(() => 0);
  for (const e of pop)
    if (e.category < SHARES.length) sums[e.category] = (sums[e.category] ?? 0) + weightOf(e, w);
  const all = sums.reduce((a, b) => a + b, 0);
  return sums.map((s) => s / all);
}

/** One Bernoulli sample: each event kept with its own rate (by geometric skips, per rate). */
function sample(byRate: Event[][], random: () => number): Event[] {
  const kept: Event[] = [];
  for (const group of byRate) {
    const rate = group[0]?.rate ?? 1;
    const logQ = Math.log(1 - rate);
    for (
      let i = Math.floor(Math.log(1 - random()) / logQ);
      i < group.length;
      i += 1 + Math.floor(Math.log(1 - random()) / logQ)
    ) {
      kept.push(group[i] as Event);
    }
  }
  return kept;
}

/** The rows an answer has: per category, its estimate and variance sum, and its share. */
function rows(kept: Event[], w: Weight) {
  const est = Array(SHARES.length + 1).fill(0);
  const v = Array(SHARES.length + 1).fill(0);
  const requests = Array(SHARES.length + 1).fill(0);
  for (const e of kept) {
    const x = weightOf(e, w);
    requests[e.category] += 1 / e.rate;
    est[e.category] += x / e.rate;
    v[e.category] += ((1 - e.rate) / (e.rate * e.rate)) * x * x;
  }
  const named = est.slice(0, SHARES.length).reduce((a, b) => a + b, 0);
  return est.map((estimated, c) => ({
    category: c,
    estimated,
    variance: v[c],
    requests: requests[c],
    share: c < SHARES.length && named > 0 ? estimated / named : null,
  }));
}

describe("share intervals, by simulation", () => {
  it(`cover the true share 93-97% of the time over ${SAMPLES} samples, for every weight`, () => {
    const random = prng(18);
    const pop = population(random);
    const byRate = RATES.map((r) => pop.filter((e) => e.rate === r));
    const truth = Object.fromEntries(WEIGHTS.map((w) => [w, trueShares(pop, w)])) as Record<Weight, number[]>;
    expect(Math.min(...truth.requests)).toBeCloseTo(0.01, 3);
    const covered = Object.fromEntries(WEIGHTS.map((w) => [w, SHARES.map(() => 0)])) as Record<
      Weight,
      number[]
    >;
    for (let s = 0; s < SAMPLES; s++) {
      const kept = sample(byRate, random);
      for (const w of WEIGHTS) {
        const rs = rows(kept, w);
        shareIntervals(rs, () => "period").forEach((i, c) => {
          const t = truth[w][c];
          if (t === undefined || i.low === null || i.high === null) return;
          if (i.low <= t && t <= i.high) covered[w][c] = (covered[w][c] ?? 0) + 1;
        });
      }
    }
    const rates = Object.fromEntries(
      WEIGHTS.map((w) => [w, covered[w].reduce((a, b) => a + b, 0) / (SAMPLES * SHARES.length)]),
    );
    const perCategory = Object.fromEntries(WEIGHTS.map((w) => [w, covered[w].map((n) => n / SAMPLES)]));
    for (const w of WEIGHTS) {
      expect(rates[w], `${w}: ${JSON.stringify(perCategory[w])}`).toBeGreaterThanOrEqual(0.93);
      expect(rates[w], `${w}: ${JSON.stringify(perCategory[w])}`).toBeLessThanOrEqual(0.97);
      // and no share is left badly covered, the 1% one included
      for (const r of perCategory[w] ?? [])
        expect(r, `${w}: ${JSON.stringify(perCategory[w])}`).toBeGreaterThan(0.9);
    }
  });
});
