// The workshop hub end to end: kept out of `vitest run` (the unit stage) because it starts JupyterHub, creates
// system users (as root) and runs a notebook for each learner. Run: npx vitest run -c test/hub/vitest.config.mts
import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  root: path.resolve(__dirname, "..", ".."),
  test: {
    include: ["test/hub/**/*.check.ts"],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
