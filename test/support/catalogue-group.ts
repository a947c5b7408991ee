import { loadCatalogue } from "../../src/catalogue/catalogue";
import { lookupModel } from "../../src/catalogue/lookup";
import type { GroupOf } from "./floor";

// analytics.model_group by the shipped catalogue, for test/support/floor.ts's rule: the group of
// a model in a database where the default catalogue is stored (this run's own, and any extra one
// whose test stores it).
const entries = loadCatalogue().entries;

export const catalogueGroup: GroupOf = (model) => {
  const a = lookupModel(entries, model);
  return a.source === "unknown" || a.origin === "unknown" ? "unknown" : `${a.source}-${a.origin}`;
};
