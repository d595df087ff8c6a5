// The handouts end-to-end test: kept out of `vitest run` (the unit stage) because it builds handouts
// with Chromium and needs executed notebooks. Run: npx vitest run -c test/handouts/vitest.config.mts
import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  root: path.resolve(__dirname, "..", ".."),
  test: {
    include: ["test/handouts/**/*.check.ts"],
    testTimeout: 60_000,
    hookTimeout: 200_000,
    fileParallelism: false,
  },
});
