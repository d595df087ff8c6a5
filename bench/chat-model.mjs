#!/usr/bin/env node
// The chat model (mha-lab/llm, SmolLM2-135M-Instruct from its GGUF, float32-stored weights, float64 arithmetic)
// against transformers on the same GGUF (bench/chat_model_torch.py in .venv-llm-ref, one thread), same machine,
// one after the other:
//   load     loadChatModel() (read, parse, dequantize) and the process's resident memory after it
//   prefill  a 64-token prompt, last logits only
//   decode   64 new tokens one at a time against the KV cache (greedy): median wall ms per token and median CPU
//            ms per token (process.cpuUsage), and tokens/s from the median
//   memory bandwidth probe: copying a 512 MB Float32Array (bytes read + written per second); a token reads every
//            weight matrix once (weightBytes, ~0.54 GB), so bandwidth / weightBytes is the decoder's roofline
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

// (a JavaScript sum loop is no probe: it is bound by its add chain, 2.4 GB/s here, below what the kernel reads)
function bandwidthGBs() {
  const a = new Float32Array(128 * 2 ** 20); // 512 MB
  const b = new Float32Array(a.length);
  a.fill(1);
  let best = Infinity;
  for (let r = 0; r < 4; r++) {
    const t = performance.now();
    b.set(a);
    best = Math.min(best, performance.now() - t);
  }
  return (2 * a.byteLength) / 1e9 / (best / 1000);
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

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
const wall = [];
const cpu = [];
for (let i = 0; i < NEW_TOKENS; i++) {
  const c = process.cpuUsage();
  t = performance.now();
  d.next(argmax(d.logits));
  wall.push(performance.now() - t);
  const dc = process.cpuUsage(c);
  cpu.push((dc.user + dc.system) / 1000);
}
const decodeMs = median(wall.slice(4)); // after 4 warm-up tokens (the kernel's optimised tier)
const bw = bandwidthGBs();
const w = model.weights;
const weightBytes = [w.embedding, ...w.layers.flatMap((l) => [l.wQ, l.wK, l.wV, l.wO, l.wGate, l.wUp, l.wDown])].reduce((s, a) => s + a.byteLength, 0);
const ours = {
  loadS, rssMB, prefillMs, decodeMsPerToken: decodeMs, decodeCpuMsPerToken: median(cpu.slice(4)), tokensPerS: 1000 / decodeMs,
  weightGB: weightBytes / 1e9, bandwidthGBs: bw, rooflineTokensPerS: bw / (weightBytes / 1e9),
  loadAverage: os.loadavg().map((x) => +x.toFixed(2)), loaded: load1 > 1,
};
let torch = null;
const py = path.join(ROOT, ".venv-llm-ref", "bin", "python");
if (!args.includes("--no-torch") && fs.existsSync(py)) {
  const r = spawnSync(py, [path.join(ROOT, "bench", "chat_model_torch.py"), String(PROMPT_TOKENS), String(NEW_TOKENS)], { encoding: "utf8" });
  torch = r.status === 0 ? JSON.parse(r.stdout.trim().split("\n").pop()) : { error: r.stderr.slice(-500) };
}
console.log(JSON.stringify({ ours, torch }, null, 2));
