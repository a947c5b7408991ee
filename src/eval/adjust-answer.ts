import type pg from "pg";
import { AppError } from "../platform/errors";
import { type AdjustedRow, adjustRows, type ObservedRow } from "./adjust-rows";
import { type Calibration, loadCalibration } from "./calibrations";

// `?adjust=NAME` on /v1/stats/categories: the answer as it was, plus `adjusted`. Additive: the
// rows and their fields are untouched.

export const ADJUST_METHOD =
  "Adjusted classify-and-count: per period, shares p >= 0 summing to 1 whose confused image Mᵀp is nearest (least squares) the observed shares, M the calibration's P(predicted | true). 95% intervals: percentiles of 200 Bayesian-bootstrap draws over M's rows (Dirichlet of the calibration counts) and the observed shares (Dirichlet of the period's events).";

export async function withAdjustment<B extends { rows: ObservedRow[]; notes: string[] }>(
  pool: pg.Pool,
  name: string,
  body: B,
  answered: { engine: string; scheme: string },
): Promise<
  B & { adjusted: { calibration: Omit<Calibration, "confusion">; method: string; rows: AdjustedRow[] } }
> {
  const calibration = await loadCalibration(pool, name);
  if (!calibration) {
    throw new AppError(
      "NOT_FOUND",
      `No calibration named ${name}: store one with census eval FILE --save ${name}.`,
    );
  }
  const { confusion, ...about } = calibration;
  const adjusted = adjustRows(body.rows, confusion, { draws: 200 });
  const notes = [
    `Adjusted with calibration ${name} (${about.texts} classified texts, engine ${about.engine}, ${about.mappingVersion}, ${about.createdAt.slice(0, 10)}). Valid only when its texts are drawn from the same traffic as these events (docs/analytics.md); the weights' shares are adjusted with a per-request matrix.`,
  ];
  if (about.engine !== answered.engine || about.scheme !== answered.scheme) {
    notes.push(
      `The calibration was measured with engine ${about.engine} and scheme ${about.scheme}; these events are engine ${answered.engine}, scheme ${answered.scheme}: the adjustment does not apply to them.`,
    );
  }
  if (adjusted.unsupported.length > 0) {
    notes.push(
      `No calibration text expected ${adjusted.unsupported.join(", ")}: taken as always classified right.`,
    );
  }
  return {
    ...body,
    notes: [...body.notes, ...notes],
    adjusted: { calibration: about, method: ADJUST_METHOD, rows: adjusted.rows },
  };
}
