import { configDefaults, defineConfig } from "vitest/config";

// Unit, property, fixture and chart tests. The Playwright/Galata specs in test/browser run
// under `npm run test:browser`, not here.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, "test/browser/**"],
  },
});
