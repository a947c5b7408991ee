// What the model catalogue says about a model (issue 21, the study's §3): its words live in
// src/vocabulary.ts, which db/schema.ts reads too; the size rule is here.
import type { ModelSize } from "../vocabulary";

export {
  type ModelOrigin,
  type ModelSize,
  type ModelSource,
  modelOrigins,
  modelSizes,
  modelSources,
} from "../vocabulary";

/** The study's size class of a parameter count in billions. */
export function sizeOf(params: number): ModelSize {
  if (params < 15) return "small";
  return params < 70 ? "medium" : "large";
}
