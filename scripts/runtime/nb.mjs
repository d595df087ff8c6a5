#!/usr/bin/env node
// `npm run nb -- notebooks/00-welcome.ipynb [more.ipynb ...]`: check and run notebooks through the real
// tslab kernel (the same pytest code as `npm test`); the executed copy lands in build/executed/.
// Without arguments (`npm run test:notebooks`): the whole notebook suite, as `npm test` runs it.
import path from "node:path";
import { NOTEBOOK_SUITE, ROOT, VENV_PY, jupyterEnv, run, runMain, setup } from "./lib.mjs";

runMain(() => {
  const files = process.argv.slice(2).map((f) => path.resolve(process.env.INIT_CWD ?? process.cwd(), f));
  setup({ quiet: true });
  const args = files.length
    ? ["test/notebooks/test_notebooks.py", "-k", "test_metadata or test_executes or test_every_show", "--notebooks", ...files]
    : NOTEBOOK_SUITE;
  run(VENV_PY, ["-m", "pytest", ...args, "-v", "-p", "no:cacheprovider", "--durations=5", "--tb=short"], {
    cwd: ROOT,
    env: jupyterEnv(),
    failMsg: "notebook check failed",
  });
  console.log(`executed copies: ${path.join(ROOT, "build", "executed")}`);
});
