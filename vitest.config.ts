import { configDefaults, defineConfig } from "vitest/config";

// Unit, property, fixture and chart tests. The Playwright/Galata specs in test/browser run
// under `npm run test:browser`, not here.
// One worker (vitest's default on 2 cores): npm test runs this stage beside the notebook stage's kernel, one core
// each (scripts/runtime/test.mjs). For the same reason a test gets 30 s, not vitest's 5 s, before it times out: a
// 2 s test on an idle machine must not fail because the other lane is busy. Timing is never what a test checks.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, "test/browser/**"],
    testTimeout: 30_000,
  },
});
