import { type ModelOrigin, type ModelSource, modelOrigins, modelSources } from "../vocabulary";

// The model groups of the release units (sql/floor.sql: analytics.model_group) and the ones the
// by-source answer shows. Units are of the finer groups, so a filter on source, origin or both
// picks whole units: sums of them are released numbers like any other.

/** A unit's group: source x origin, or unknown (no catalogue entry). */
export const unitGroups = [
  ...modelSources.flatMap((s) => modelOrigins.map((o) => `${s}-${o}` as const)),
  "unknown",
] as const;
export type UnitGroup = (typeof unitGroups)[number];

/** The study's groups (figures 8-9): closed models together, open ones by origin, and unknown. */
export const answerGroups = ["closed", "oss-china", "oss-row", "unknown"] as const;
export type AnswerGroup = (typeof answerGroups)[number];

/**
 * Pure: the unit groups a `source` and `origin` filter keep, or null with neither (no filter).
 * A filter never keeps unknown: the catalogue does not know those models' source or origin.
 */
export function groupsOf(source?: ModelSource, origin?: ModelOrigin): UnitGroup[] | null {
  if (source === undefined && origin === undefined) return null;
  return unitGroups.filter((g) => {
    const [s, o] = g.split("-");
    if (g === "unknown") return false;
    return (source === undefined || s === source) && (origin === undefined || o === origin);
  });
}
