import type pg from "pg";
import { z } from "zod";
import { CALIBRATION_NAME, CALIBRATION_NAME_RULE } from "../vocabulary";
import type { Confusion } from "./score";

// Stored calibrations: confusion counts by category id, nothing else of the labelled set.

export const calibrationName = z.string().regex(CALIBRATION_NAME, CALIBRATION_NAME_RULE);

const confusionSchema = z.record(z.string(), z.record(z.string(), z.number().int().nonnegative()));

export interface Calibration {
  name: string;
  scheme: string;
  mappingVersion: string;
  engine: string;
  texts: number;
  confusion: Confusion;
  createdAt: string;
}

/** Stores (or replaces) a calibration; true when one of that name existed. */
export async function saveCalibration(pool: pg.Pool, c: Omit<Calibration, "createdAt">): Promise<boolean> {
  const { rows } = await pool.query<{ replaced: boolean }>(
    `INSERT INTO calibrations (name, scheme, mapping_version, engine, texts, confusion)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (name) DO UPDATE SET scheme = excluded.scheme, mapping_version = excluded.mapping_version,
       engine = excluded.engine, texts = excluded.texts, confusion = excluded.confusion, created_at = now()
     RETURNING (xmax <> 0) AS replaced`,
    [
      c.name,
      c.scheme,
      c.mappingVersion,
      c.engine,
      c.texts,
      JSON.stringify(confusionSchema.parse(c.confusion)),
    ],
  );
  return rows[0]?.replaced ?? false;
}

export async function loadCalibration(pool: pg.Pool, name: string): Promise<Calibration | undefined> {
  const { rows } = await pool.query<Record<string, unknown>>(
    "SELECT name, scheme, mapping_version, engine, texts, confusion, created_at FROM calibrations WHERE name = $1",
    [name],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    name: String(r.name),
    scheme: String(r.scheme),
    mappingVersion: String(r.mapping_version),
    engine: String(r.engine),
    texts: Number(r.texts),
    confusion: confusionSchema.parse(r.confusion),
    createdAt: (r.created_at as Date).toISOString(),
  };
}
