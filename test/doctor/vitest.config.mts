// The doctor's tests: kept out of `vitest run` (the unit stage) because they start Python and the tslab kernel.
// Run: npx vitest run -c test/doctor/vitest.config.mts   (~1-3 min; most of it is Jupyter starting)
import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  root: path.resolve(__dirname, "..", ".."),
  test: {
    include: ["test/doctor/**/*.check.ts"],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
