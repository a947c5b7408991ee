// Google's billing rule for classifyText, beside its client (google.ts) but apart from it: the
// worker counts units on every call, and google.ts loads the large Google library, which the API
// and backfills never need.

/** Google bills classifyText per started 1,000 characters, at least one unit per call. */
export const billableUnits = (chars: number) => Math.max(1, Math.ceil(chars / 1000));
