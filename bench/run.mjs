// `npm run bench`: time multi-head attention forward passes side by side and write bench/results.json,
// bench/results.md and bench/results.html.
//   ours   MultiHeadAttention.forward from "mha-lab" (the readable mathjs path, full trace), same process
//   fast   the fast kernel in src/math/fast (same trace, Float64Array loops), when it is built
//   tfjs   the same MHA in @tensorflow/tfjs-core + tfjs-backend-cpu (float32, pure JS), same process
//   torch  PyTorch CPU nn.MultiheadAttention (scripts/bench_torch.py, in another process, when .venv-ref exists)
// Options: --out bench/results.json (also writes <stem>.md and <stem>.html)  --sizes 8,32,128,512,1024  --dmodels 64,256  --heads 8  --budget 1000 (ms of timed runs per cell)
//          --no-torch  --no-memory  --no-notebooks  --no-ours (skip the slow reference path)  --quick
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, loadMhaLab, loadFast, randomMatrix, mhaFlops, timeIt } from "./common.mjs";
import { loadTf, makeTfjsMha } from "./tfjs-mha.mjs";
import { writeChart } from "./chart.mjs";

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const quick = flag("quick");
const sizes = opt("sizes", quick ? "8,32,128" : "8,32,128,512,1024").split(",").map(Number);
const dModels = opt("dmodels", "64,256").split(",").map(Number);
const numHeads = Number(opt("heads", "8"));
const budgetMs = Number(opt("budget", quick ? "200" : "1000"));
const tStart = performance.now();

const log = (...a) => console.error(...a);
const lib = loadMhaLab();
const fast = loadFast();
const tf = await loadTf();
const { MultiHeadAttention } = lib;

function maxAbsDiff(a, flat) {
  let m = 0;
  const cols = a[0].length;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < cols; j++) m = Math.max(m, Math.abs(a[i][j] - flat[i * cols + j]));
  return m;
}
function maxAbsDiff2(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[0].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
  return m;
}

const rows = [];
for (const dModel of dModels) {
  for (const n of sizes) {
    const mha = MultiHeadAttention.random({ dModel, numHeads, seed: 1 });
    const x = randomMatrix(n, dModel, 2);
    const row = { n, dModel, numHeads, flops: mhaFlops(n, dModel) };
    const tfForward = makeTfjsMha(tf, mha.params, numHeads);
    const xt = tf.tensor2d(x);
    const tfOut = tfForward(xt);
    const t = timeIt(() => tfForward(xt), { budgetMs });
    row.tfjsMs = t.ms; row.tfjsCpuMs = t.cpuMs; row.tfjsReps = t.reps;
    xt.dispose();
    let refOut = null;
    if (!flag("no-ours")) {
      refOut = mha.forward(x).output;
      const o = timeIt(() => mha.forward(x), { budgetMs });
      row.oursMs = o.ms; row.oursCpuMs = o.cpuMs; row.oursReps = o.reps;
      row.maxAbsDiffTfjs = maxAbsDiff(refOut, tfOut.output);
    }
    if (fast && !flag("no-ours") && !flag("no-mathjs-fast")) {
      // the mathjs route: the readable forward, with math.multiply(Array, Array) replaced by the fast kernel
      fast.installFastMultiply(lib.math);
      try {
        const mOut = mha.forward(x).output;
        const m = timeIt(() => mha.forward(x), { budgetMs });
        row.oursFastMulMs = m.ms; row.oursFastMulCpuMs = m.cpuMs; row.oursFastMulReps = m.reps;
        row.maxAbsDiffFastMulVsOurs = maxAbsDiff2(mOut, refOut);
      } finally {
        fast.uninstallFastMultiply(lib.math);
      }
    }
    if (fast) {
      const fOut = fast.fastForward(mha, x).output;
      const f = timeIt(() => fast.fastForward(mha, x), { budgetMs });
      row.fastMs = f.ms; row.fastCpuMs = f.cpuMs; row.fastReps = f.reps;
      if (refOut) row.maxAbsDiffFastVsOurs = maxAbsDiff2(fOut, refOut);
      else row.maxAbsDiffTfjs = maxAbsDiff(fOut, tfOut.output);
    }
    rows.push(row);
    log(`n=${n} dModel=${dModel}: ours ${row.oursMs?.toFixed(3)} ms, ours+fast multiply ${row.oursFastMulMs?.toFixed(3)} ms, fast ${row.fastMs?.toFixed(3)} ms, tfjs ${row.tfjsMs.toFixed(3)} ms`);
  }
}

// PyTorch, in its own process (after the JS timings, so the two never compete for the cores)
const py = path.join(ROOT, ".venv-ref", "bin", "python");
let torch = null;
if (!flag("no-torch") && existsSync(py)) {
  log("timing PyTorch (scripts/bench_torch.py) ...");
  const r = spawnSync(py, [path.join(ROOT, "scripts", "bench_torch.py"), "--sizes", sizes.join(","), "--dmodels", dModels.join(","),
    "--heads", String(numHeads), "--budget", String(budgetMs / 1000)], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status === 0) {
    torch = JSON.parse(r.stdout);
    const pick = (row, variant) => torch.rows.find((t) => t.n === row.n && t.dModel === row.dModel && t.variant === variant)?.ms ?? null;
    for (const row of rows) {
      row.torchMs = pick(row, "f32-1t");
      row.torchMtMs = pick(row, "f32-mt");
      row.torch64Ms = pick(row, "f64-1t");
      row.torchCpuMs = torch.rows.find((t) => t.n === row.n && t.dModel === row.dModel && t.variant === "f32-1t")?.cpuMs ?? null;
    }
  } else log(`bench_torch.py failed (${r.status}):\n${r.stderr}`);
} else log("PyTorch skipped (no .venv-ref or --no-torch)");

for (const row of rows) {
  const g = (ms) => (ms ? row.flops / ms / 1e6 : null);
  row.oursFastMulGflops = g(row.oursFastMulMs);
  row.tfjsOverOursFastMul = row.oursFastMulMs ? row.tfjsMs / row.oursFastMulMs : null;
  row.oursGflops = g(row.oursMs); row.fastGflops = g(row.fastMs); row.tfjsGflops = g(row.tfjsMs); row.torchGflops = g(row.torchMs);
  row.tfjsOverOurs = row.oursMs ? row.tfjsMs / row.oursMs : null; // > 1: ours faster
  row.tfjsOverFast = row.fastMs ? row.tfjsMs / row.fastMs : null;
  row.tfjsOverOursCpu = row.oursCpuMs ? row.tfjsCpuMs / row.oursCpuMs : null; // the same ratio in CPU time
  row.tfjsOverFastCpu = row.fastCpuMs ? row.tfjsCpuMs / row.fastCpuMs : null;
  row.oursOverTorch = row.oursMs && row.torchMs ? row.oursMs / row.torchMs : null; // > 1: torch faster
  row.fastOverTorch = row.fastMs && row.torchMs ? row.fastMs / row.torchMs : null;
}

// memory at the largest n, each implementation in a fresh process
let memory = [];
if (!flag("no-memory")) {
  const nMem = Math.max(...sizes);
  const impls = [...(flag("no-ours") ? [] : ["ours"]), ...(fast ? ["fast"] : []), "tfjs"];
  for (const dModel of dModels) {
    for (const impl of impls) {
      log(`memory: ${impl} n=${nMem} dModel=${dModel} ...`);
      const r = spawnSync(process.execPath, ["--expose-gc", path.join(ROOT, "bench", "memory.mjs"), impl, String(nMem), String(dModel), String(numHeads)],
        { encoding: "utf8", maxBuffer: 1 << 24 });
      if (r.status === 0) memory.push(JSON.parse(r.stdout.trim().split("\n").pop()));
      else log(`memory.mjs ${impl} failed:\n${r.stderr}`);
    }
  }
}

// the course's own timings (scripts/bench_notebooks.py merges them into results.json itself)
const resultsPath = path.resolve(opt("out", path.join(ROOT, "bench", "results.json")));
const stem = resultsPath.replace(/\.json$/, "");
const nbScript = path.join(ROOT, "scripts", "bench_notebooks.py");
const runtimePy = path.join(ROOT, ".venv", "bin", "python");
const benchMs = performance.now() - tStart;
const previous = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, "utf8")) : {};
const cpu = (os.cpus()[0]?.model ?? "unknown").trim();
const results = {
  machine: { cpu, nproc: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}`, date: new Date().toISOString(),
    note: "2 cores shared with other work; timings are noisy" },
  method: {
    timing: `median of timed runs after warm-up; ${budgetMs} ms budget per cell (>=3 runs, <=30; 1 run when the warm-up took > 3 s); gc between runs`,
    flops: "8nE² + 4n²E per self-attention forward (multiply-add = 2 FLOPs; softmax, bias and scale not counted)",
    ours: "MultiHeadAttention.forward(x) from mha-lab: full trace as nested number arrays (float64)",
    fast: "fastForward(mha, x) from src/math/fast: same trace, Float64Array kernels (float64)",
    oursFastMul: "MultiHeadAttention.forward after installFastMultiply(math): the readable path with mathjs's multiply(Array, Array) replaced by the fast kernel",
    tfjs: "@tensorflow/tfjs-core + tfjs-backend-cpu 4.22, float32, same process; output and weights read back with dataSync",
    torch: "PyTorch CPU nn.MultiheadAttention, separate process (scripts/bench_torch.py), need_weights=True, average_attn_weights=False, inference_mode; torchMs = float32 1 thread, torchMtMs = float32 default threads, torch64Ms = float64 1 thread",
    memory: "fresh node --expose-gc process per implementation; retained = heapUsed after gc with trace alive minus before; peakRss = growth of resourceUsage().maxRSS across the call; min = numbers the trace holds × 8 B + arrays × 48 B header",
  },
  torch: torch ? { version: torch.torch, defaultThreads: torch.defaultThreads } : null,
  rows,
  memory,
  benchSeconds: benchMs / 1000,
  notebooks: previous.notebooks ?? null,
};
writeFileSync(resultsPath, JSON.stringify(results, null, 2) + "\n");

if (!flag("no-notebooks") && existsSync(nbScript) && existsSync(runtimePy)) {
  log("timing the course notebooks (scripts/bench_notebooks.py) ...");
  const r = spawnSync(runtimePy, [nbScript, "--merge", resultsPath], { encoding: "utf8", stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) log(`bench_notebooks.py exited ${r.status}`);
}
const final = JSON.parse(readFileSync(resultsPath, "utf8"));
final.totalSeconds = (performance.now() - tStart) / 1000;
writeFileSync(resultsPath, JSON.stringify(final, null, 2) + "\n");

const md = renderMarkdown(final);
writeFileSync(`${stem}.md`, md);
await writeChart(final, `${stem}.html`);
console.log(md);

function renderMarkdown(res) {
  const f = (v, d = 2) => (v == null ? "–" : v >= 100 ? v.toFixed(0) : v.toFixed(d));
  const x = (v) => (v == null ? "–" : `${v.toFixed(2)}×`);
  const lines = [];
  lines.push(`Machine: ${res.machine.cpu}, ${res.machine.nproc} cores, Node ${res.machine.node}${res.torch ? `, torch ${res.torch.version}` : ""}; ${res.machine.date}`);
  lines.push("");
  lines.push("| n | dModel | ours ms | ours+fastMul ms | fast ms | tfjs ms | torch ms (f32, 1t) | torch ms (f32, mt) | torch ms (f64, 1t) | GFLOP/s ours / fast / tfjs / torch | tfjs÷ours | tfjs÷fast | tfjs÷fast (CPU time) | ours÷torch | fast÷torch |");
  lines.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
  for (const r of res.rows) {
    lines.push(`| ${r.n} | ${r.dModel} | ${f(r.oursMs, 3)} | ${f(r.oursFastMulMs, 3)} | ${f(r.fastMs, 3)} | ${f(r.tfjsMs, 3)} | ${f(r.torchMs, 3)} | ${f(r.torchMtMs, 3)} | ${f(r.torch64Ms, 3)} | ${f(r.oursGflops)} / ${f(r.fastGflops)} / ${f(r.tfjsGflops)} / ${f(r.torchGflops)} | ${x(r.tfjsOverOurs)} | ${x(r.tfjsOverFast)} | ${x(r.tfjsOverFastCpu)} | ${x(r.oursOverTorch)} | ${x(r.fastOverTorch)} |`);
  }
  lines.push("");
  lines.push("tfjs÷ours > 1 means ours is faster (goal: ≥ 3). ours÷torch > 1 means PyTorch is faster (torch runs in another process).");
  if (res.memory?.length) {
    lines.push("");
    lines.push("| memory at n | dModel | impl | ms | retained heap MB | peak RSS growth MB | trace minimum MB (data + headers) | retained ÷ minimum |");
    lines.push("|---:|---:|---|---:|---:|---:|---:|---:|");
    const mb = (b) => (b == null ? "–" : (b / 2 ** 20).toFixed(1));
    for (const m of res.memory) {
      lines.push(`| ${m.n} | ${m.dModel} | ${m.impl} | ${f(m.ms, 1)} | ${mb(m.retainedBytes)} | ${mb(m.peakRssBytes)} | ${mb(m.minBytes)} | ${m.minBytes ? (m.retainedBytes / m.minBytes).toFixed(2) : "–"} |`);
    }
  }
  if (res.notebooks) {
    const nb = res.notebooks;
    lines.push("");
    lines.push(`Course: kernel start ${f(nb.kernelStartS, 2)} s, trivial cell ${f(nb.trivialCellS, 3)} s.`);
    lines.push("");
    lines.push("| notebook | code cells | run-all s | tslab floor s | run-all ÷ floor | slowest cell s | slowest cell # |");
    lines.push("|---|---:|---:|---:|---:|---:|---:|");
    for (const b of nb.notebooks) lines.push(`| ${b.notebook} | ${b.codeCells} | ${f(b.runAllS)} | ${f(b.floorS)} | ${f(b.ratioToFloor)} | ${f(b.slowestCellS)} | ${b.slowestCellIndex ?? "–"} |`);
    if (nb.course) lines.push(`| **course** | ${nb.course.codeCells} | ${f(nb.course.runAllS)} | ${f(nb.course.floorS)} | ${f(nb.course.ratioToFloor)} | ${f(nb.course.slowestCellS)} | |`);
  }
  lines.push("");
  lines.push(`Bench time: ${f(res.benchSeconds, 1)} s (timings + memory)${res.totalSeconds ? `, ${f(res.totalSeconds, 1)} s in all` : ""}.`);
  return lines.join("\n") + "\n";
}
