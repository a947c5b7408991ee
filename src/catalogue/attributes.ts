// What the model catalogue says about a model (issue 21, the study's §3): the words the config
// file, the database table and the analytics view share.

/** `oss`: weights are public; `closed`: reachable only through a restricted API. */
export const modelSources = ["closed", "oss"] as const;
/** Where the model's author is based: China or the rest of the world. */
export const modelOrigins = ["china", "row"] as const;
/** The study's OSS sizes: small < 15B, medium 15–70B, large >= 70B parameters (§3.2). */
export const modelSizes = ["small", "medium", "large"] as const;

export type ModelSource = (typeof modelSources)[number];
export type ModelOrigin = (typeof modelOrigins)[number];
export type ModelSize = (typeof modelSizes)[number];

/** The study's size class of a parameter count in billions. */
export function sizeOf(params: number): ModelSize {
  if (params < 15) return "small";
  return params < 70 ? "medium" : "large";
}
