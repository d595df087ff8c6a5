#!/usr/bin/env node
// `npm run hub:loadtest -- --users N [--notebook notebooks/04-many-heads.ipynb] [--url URL] --out report.json`:
// set up (fast when nothing changed), then the load test itself, scripts/hub/loadtest.py, on .venv's Python.
// See that file's docstring for what it measures; `-- --help` for every option.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT, VENV_PY, jupyterEnv, runMain, setup } from "../runtime/lib.mjs";

runMain(() => {
  const args = process.argv.slice(2);
  if (!args.includes("--help") && !args.includes("-h")) setup({ quiet: true });
  const r = spawnSync(VENV_PY, [path.join(ROOT, "scripts", "hub", "loadtest.py"), ...args], { cwd: ROOT, env: jupyterEnv(), stdio: "inherit" });
  process.exit(r.status ?? 1);
});
