// `encode` of all-MiniLM-L6-v2 on a 32-token sentence: our MiniLMModel.encode (float64, one JS thread) against the
// same model in PyTorch, float64 and float32, 1 thread, the same sentence and the same outputs (every attention and
// hidden state, the pooled embedding). Interleaved rounds (JS, torch f64, torch f32, JS, …) so load from elsewhere
// hits all three alike; per round the median of its calls; reported: median over rounds with min–max.
// PyTorch runs in a second process (scripts/bench_torch_encode.py, a small stdin/stdout server in .venv-ref).
//
//   node bench/encode.mjs [--rounds 7] [--budget 1500]      standalone: prints the result as JSON
//   import { run } from "./encode.mjs"; await run({ rounds })  from bench/run.mjs
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { median, require, ROOT, summarize } from "./common.mjs";

/** The 32-token sentence of the golden set (punctuation, numbers, upper case): the same one in both runtimes. */
export const SENTENCE = "Hello, World! It's 3:45 p.m. and I owe you $1,234.56 (about 7%).";

/** Start the PyTorch server; resolves to { ask(cmd) → Promise<object>, close(), info } or null (with a reason) when unavailable. */
async function startTorch(python, sentence) {
  if (!fs.existsSync(python)) return { skipped: `${python} not found (python3.11 -m venv .venv-ref && .venv-ref/bin/pip install -r scripts/requirements-ref.txt)` };
  const child = spawn(python, [path.join(ROOT, "scripts", "bench_torch_encode.py"), sentence], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (l) => waiting.shift()?.(JSON.parse(l)));
  const next = () => new Promise((resolve) => waiting.push(resolve));
  const info = await next();
  return {
    info,
    ask: (cmd) => {
      const p = next();
      child.stdin.write(cmd + "\n");
      return p;
    },
    close: () => {
      child.stdin.write("quit\n");
      child.stdin.end();
    },
  };
}

/**
 * Time encode in JS and PyTorch, interleaved.
 * @param opts { rounds = 7, budgetMs = 1500 (per implementation, over all rounds), python = .venv-ref/bin/python, sentence }
 * @returns { sentence, tokens, rounds, js, torchF64, torchF32 (each { ms, min, max, rounds, reps }), ratioF64, ratioF32, torch }
 */
export async function run({ rounds = 7, budgetMs = 1500, python = path.join(ROOT, ".venv-ref", "bin", "python"), sentence = SENTENCE } = {}) {
  const { loadMiniLMModel } = require("mha-lab/minilm");
  const model = loadMiniLMModel();
  const tokens = model.encode(sentence).tokens.length;
  const torch = await startTorch(python, sentence);
  if (torch.info && torch.info.tokens !== tokens) throw new Error(`PyTorch tokenized ${torch.info.tokens} tokens but we have ${tokens}`);

  // warm up and calibrate: reps per round so one round of one implementation takes about budgetMs / rounds
  const jsCall = () => model.encode(sentence);
  let warm = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    jsCall();
    warm = Math.min(warm, performance.now() - t0);
  }
  const reps = (ms) => Math.max(1, Math.min(30, Math.floor(budgetMs / rounds / Math.max(ms, 1e-3))));
  const jsReps = reps(warm);
  const torchReps = {};
  if (torch.ask) {
    for (const v of ["f64", "f32"]) torchReps[v] = reps((await torch.ask(`${v} 5`)).ms);
  }
  const per = { js: [], f64: [], f32: [] };
  for (let r = 0; r < rounds; r++) {
    const samples = [];
    for (let i = 0; i < jsReps; i++) {
      const t0 = performance.now();
      jsCall();
      samples.push(performance.now() - t0);
    }
    per.js.push(median(samples));
    if (torch.ask) {
      for (const v of ["f64", "f32"]) per[v].push((await torch.ask(`${v} ${torchReps[v]}`)).ms);
    }
  }
  torch.close?.();
  const sum = (xs, n) => ({ ...summarize(xs), rounds: xs, reps: n });
  const out = {
    sentence, tokens, rounds, threads: 1,
    js: sum(per.js, jsReps),
    torch: torch.info ?? { skipped: torch.skipped },
  };
  if (torch.ask) {
    out.torchF64 = sum(per.f64, torchReps.f64);
    out.torchF32 = sum(per.f32, torchReps.f32);
    out.ratioF64 = out.js.median / out.torchF64.median;
    out.ratioF32 = out.js.median / out.torchF32.median;
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, d) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  const r = await run({ rounds: arg("--rounds", 7), budgetMs: arg("--budget", 1500) });
  console.log(JSON.stringify(r, null, 1));
  const f = (s) => `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
  console.error(`encode, ${r.tokens} tokens: mha-lab ${f(r.js)}` + (r.torchF64 ? `; PyTorch f64 1 thread ${f(r.torchF64)} (ratio ${r.ratioF64.toFixed(1)}×), f32 ${f(r.torchF32)} (${r.ratioF32.toFixed(1)}×)` : `; PyTorch: ${r.torch.skipped}`));
}
