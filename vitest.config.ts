import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Finds or starts Postgres and Redis and makes this run's own database (test/support/urls.ts).
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/cleanup.ts"],
    // Backstops for a hang, not budgets: waits for work fail when it stops moving
    // (test/support/progress.ts), and a loaded 2-core machine makes any test slow.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration files share one Postgres database and one Redis; each uses its own queue prefix.
    pool: "forks",
    // Most files wait on services (the fault suite holds outages of 30 and 60 s), so more files
    // than cores run at once; CPU-heavy files are few and short.
    maxWorkers: 4,
  },
});
