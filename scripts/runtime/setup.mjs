#!/usr/bin/env node
// `npm run setup`: everything `npm start` does except launching JupyterLab.
// npm ci (if needed), .venv + requirements.txt (if changed), offline config, tslab kernelspec, build (if stale).
import { runMain, setup } from "./lib.mjs";

runMain(() => setup());
