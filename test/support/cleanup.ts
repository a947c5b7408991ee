import { afterAll } from "vitest";
import { stopAllSpawned } from "./processes";

// Runs in every test file (vitest.config.ts setupFiles): a test that failed or timed out before its
// `finally` leaves no process behind it once its file is done (see processes.ts).
afterAll(() => stopAllSpawned());
