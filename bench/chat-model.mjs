#!/usr/bin/env node
// The chat model (mha-lab/llm, SmolLM2-135M-Instruct from its GGUF, float64) against transformers on the same GGUF
// (bench/chat_model_torch.py in .venv-llm-ref, one thread), same machine, one after the other:
//   load     loadChatModel() (read, parse, dequantize) and the process's resident memory after it
//   prefill  a 64-token prompt, last logits only
//   decode   64 new tokens one at a time against the KV cache (greedy), ms per token and tokens/s
//   memory bandwidth probe: a sum over a 512 MB Float64Array, the roofline of float64 decoding (1.08 GB of
//            weights read per token)
// Usage: npm run build && node --expose-gc bench/chat-model.mjs [--no-torch] [--force]
// It refuses to start when the 1-minute load average is above 1.0 (--force runs anyway and marks the figures LOADED).
// Not run by `npm test` and not run yet on an idle machine (written 2026-12-06 on a machine at load 15-19).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { loadChatModel, argmax } = require(path.join(ROOT, "dist", "llm", "index.js"));
const args = process.argv.slice(2);
const load1 = os.loadavg()[0];
if (load1 > 1 && !args.includes("--force")) {
  console.error(`load average ${load1.toFixed(1)} > 1.0: run on an idle machine, or pass --force (figures marked LOADED)`);
  process.exit(2);
}
const PROMPT_TOKENS = 64;
const NEW_TOKENS = 64;

function bandwidthGBs() {
  const a = new Float64Array(64 * 2 ** 20); // 512 MB
  a.fill(1);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i];
    best = Math.min(best, performance.now() - t);
    if (s !== a.length) throw new Error("probe");
  }
  return a.byteLength / 1e9 / (best / 1000);
}

const t0 = performance.now();
const model = await loadChatModel();
const loadS = (performance.now() - t0) / 1000;
globalThis.gc?.();
const rssMB = process.memoryUsage().rss / 2 ** 20;
const text = "The history of the city goes back thousands of years. ".repeat(8);
const ids = model.tokenize(text).ids.slice(0, PROMPT_TOKENS);
let t = performance.now();
const d = model.prefill(ids, PROMPT_TOKENS + NEW_TOKENS);
const prefillMs = performance.now() - t;
t = performance.now();
for (let i = 0; i < NEW_TOKENS; i++) d.next(argmax(d.logits));
const decodeMs = (performance.now() - t) / NEW_TOKENS;
const bw = bandwidthGBs();
const ours = {
  loadS, rssMB, prefillMs, decodeMsPerToken: decodeMs, tokensPerS: 1000 / decodeMs,
  bandwidthGBs: bw, rooflineTokensPerS: bw / 1.08, loaded: load1 > 1,
};
let torch = null;
const py = path.join(ROOT, ".venv-llm-ref", "bin", "python");
if (!args.includes("--no-torch") && fs.existsSync(py)) {
  const r = spawnSync(py, [path.join(ROOT, "bench", "chat_model_torch.py"), String(PROMPT_TOKENS), String(NEW_TOKENS)], { encoding: "utf8" });
  torch = r.status === 0 ? JSON.parse(r.stdout.trim().split("\n").pop()) : { error: r.stderr.slice(-500) };
}
console.log(JSON.stringify({ ours, torch }, null, 2));
