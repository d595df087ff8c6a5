// `npm run bench`: time multi-head attention forward passes side by side and write bench/results.json,
// bench/results.md and bench/results.html; then the parts, each against its PyTorch/transformers peer: the trainer
// (bench/train.mjs), MiniLM encode (bench/encode.mjs), one Adam step of the causal LM (bench/causal-lm.mjs) and of the
// encoder–decoder (bench/seq2seq.mjs), the chat model's load, prefill and decode (bench/chat-model.mjs); and the
// course notebooks.
//   ours   MultiHeadAttention.forward from "mha-lab": the readable path (each step a mathjs call, mathjs's own
//          multiply), the full trace as nested arrays, float64; only up to n = --ours-max-n (default 256): it is the
//          reference a learner steps into, not a speed goal (the old goal "≥ 3× tfjs" is retired, issue 21)
//   fast   fastForward from "mha-lab/fast" (= mha.forward(x, { kernel: "fast" })), then trace.flat.output and
//          trace.flat.weights read: Float64Arrays, as tfjs's peer reads its output and weights back with dataSync
//          (the nested fields stay lazy: built only when read)
//   tfjs   the same MHA in @tensorflow/tfjs-core + tfjs-backend-cpu (float32, pure JS, batched: bench/tfjs-mha.mjs)
//   torch  PyTorch CPU nn.MultiheadAttention (scripts/bench_torch.py, another process, when .venv-ref exists)
// Method: it refuses to start when the 1-minute load average is above 1.0 (--force runs anyway and marks every output
// LOADED); ours, fast and tfjs are interleaved (A B C A B C …) over --rounds rounds (≥ 5); each figure is the median over
// rounds with the min–max next to it; GFLOP/s from mhaCost, next to a single-core float64 matmul probe (the roofline).
// Options: --force  --quick (n ≤ 128, short budget, tiny parts, no transformers load; a sanity run, not figures)
//          --only forward,train,encode,causal-lm,seq2seq,chat-model (the default: all)
//          --sizes 8,32,128,512,1024  --dmodels 64,256  --heads 8  --rounds 5  --budget 1000 (ms per implementation and cell)
//          --ours-max-n 256  --no-torch  --no-memory  --no-notebooks
//          --out bench/results.json (also writes <stem>.md and <stem>.html)
//          --render (only rewrite <stem>.md from the JSON, e.g. after bench_notebooks.py --merge re-timed the course)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, checkIdle, formatRatio, formatSpread, interleave, loadMhaLab, matmulProbe, mhaFlops, randomMatrix, ratioSpread, require } from "./common.mjs";
import { loadTf, makeTfjsMha } from "./tfjs-mha.mjs";
import { writeChart } from "./chart.mjs";

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const quick = flag("quick");
const force = flag("force");
// the parts after the forward grid, in the order they run: bench/<name>.mjs, each exporting run(opts), or (like
// causal-lm.mjs) CONFIG, runOurs and runTorch for common.mjs's adamStepPart
const PARTS = ["train", "encode", "causal-lm", "seq2seq", "chat-model"];
const only = new Set(opt("only", ["forward", ...PARTS].join(",")).split(","));
for (const name of only) {
  if (name === "forward" || PARTS.includes(name)) continue;
  const { _suggest } = require(path.join(ROOT, "dist", "_suggest.js"));
  const near = _suggest(name, ["forward", ...PARTS], {});
  console.error(`bench: --only ${name}: no such part${near ? ` (did you mean ${near}?)` : ""}; the parts are forward, ${PARTS.join(", ")}`);
  process.exit(2);
}
const sizes = opt("sizes", quick ? "8,32,128" : "8,32,128,512,1024").split(",").map(Number);
const dModels = opt("dmodels", "64,256").split(",").map(Number);
const numHeads = Number(opt("heads", "8"));
const rounds = Math.max(5, Number(opt("rounds", "5")));
const budgetMs = Number(opt("budget", quick ? "150" : "1000"));
const oursMaxN = Number(opt("ours-max-n", "256"));
const log = (...a) => console.error(...a);

// --render: rewrite <stem>.md from the results JSON as it is (after scripts/bench_notebooks.py --merge re-timed the
// course alone), timing nothing
if (flag("render")) {
  const resultsPath = path.resolve(opt("out", path.join(ROOT, "bench", "results.json")));
  writeFileSync(resultsPath.replace(/\.json$/, ".md"), renderMarkdown(JSON.parse(readFileSync(resultsPath, "utf8"))));
  process.exit(0);
}

const idle = checkIdle({ force });
log(idle.note);
if (!idle.ok && !force) {
  log("bench: refusing to time on a loaded machine. Wait for it to be idle (uptime), or pass --force for a marked dev run.");
  process.exit(2);
}
const tStart = performance.now();

const lib = loadMhaLab();
const fast = require("mha-lab/fast");
const tf = await loadTf();
const { MultiHeadAttention } = lib;

function maxAbsDiff(a, b) {
  let m = 0;
  const flat = !Array.isArray(b);
  const cols = a[0].length;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < cols; j++) m = Math.max(m, Math.abs(a[i][j] - (flat ? b[i * cols + j] : b[i][j])));
  return m;
}

const probe = matmulProbe(256, { rounds });
log(`roofline probe: ${probe.gflops.toFixed(2)} GFLOP/s (float64 256×256·256×256, 2×2 register tiles, one core)`);

const rows = [];
if (only.has("forward")) {
  for (const dModel of dModels) {
    for (const n of sizes) {
      const mha = MultiHeadAttention.random({ dModel, numHeads, seed: 1 });
      const x = randomMatrix(n, dModel, 2);
      const row = { n, dModel, numHeads, flops: mhaFlops(n, dModel, numHeads) };
      const tfForward = makeTfjsMha(tf, mha.params, numHeads);
      const xt = tf.tensor2d(x);
      const withOurs = n <= oursMaxN;
      const ref = withOurs ? mha.forward(x) : fast.fastForward(mha, x);
      if (withOurs) row.maxAbsDiffFast = maxAbsDiff(fast.fastForward(mha, x).output, ref.output); // expected ≤ 1e-12 relative (0 so far)
      row.maxAbsDiffTfjs = maxAbsDiff(ref.output, tfForward(xt).output); // float32 vs float64
      const impls = {
        ...(withOurs ? { ours: () => mha.forward(x) } : {}),
        fast: () => {
          const t = fast.fastForward(mha, x);
          return [t.flat.output, t.flat.weights]; // what tfjs reads back (dataSync): the output and weights as Float64Arrays
        },
        tfjs: () => tfForward(xt),
      };
      const t = interleave(impls, { rounds, budgetMs });
      for (const [name, r] of Object.entries(t)) {
        if (name.startsWith("_")) continue;
        Object.assign(row, { [`${name}Ms`]: r.ms, [`${name}Min`]: r.min, [`${name}Max`]: r.max, [`${name}CpuMs`]: r.cpuMs, [`${name}Reps`]: r.reps });
      }
      xt.dispose();
      rows.push(row);
      log(`n=${n} dModel=${dModel}: ours ${row.oursMs?.toFixed(3) ?? "—"} ms, fast ${row.fastMs.toFixed(3)} ms, tfjs ${row.tfjsMs.toFixed(3)} ms`);
    }
  }
}

// PyTorch, in its own process (after the JS timings, so the two never compete for the cores)
const py = path.join(ROOT, ".venv-ref", "bin", "python");
let torch = null;
if (only.has("forward") && !flag("no-torch") && existsSync(py)) {
  log("timing PyTorch (scripts/bench_torch.py) ...");
  const r = spawnSync(py, [path.join(ROOT, "scripts", "bench_torch.py"), "--sizes", sizes.join(","), "--dmodels", dModels.join(","),
    "--heads", String(numHeads), "--rounds", String(rounds), "--budget", String(budgetMs / 1000)], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status === 0) {
    torch = JSON.parse(r.stdout);
    const pick = (row, variant) => torch.rows.find((t) => t.n === row.n && t.dModel === row.dModel && t.variant === variant) ?? null;
    for (const row of rows) {
      for (const [key, variant] of [["torch", "f32-1t"], ["torchMt", "f32-mt"], ["torch64", "f64-1t"]]) {
        const p = pick(row, variant);
        if (p) Object.assign(row, { [`${key}Ms`]: p.ms, [`${key}Min`]: p.min, [`${key}Max`]: p.max, [`${key}CpuMs`]: p.cpuMs });
      }
    }
  } else log(`bench_torch.py failed (${r.status}):\n${r.stderr}`);
} else if (only.has("forward")) log("PyTorch skipped (no .venv-ref or --no-torch)");

for (const row of rows) {
  const g = (ms) => (ms ? row.flops / ms / 1e6 : null);
  for (const k of ["ours", "fast", "tfjs", "torch", "torchMt", "torch64"]) row[`${k}Gflops`] = g(row[`${k}Ms`]);
  row.oursRoofline = row.oursGflops / probe.gflops; // fraction of the probe's float64 GFLOP/s
  row.fastRoofline = row.fastGflops / probe.gflops;
  row.tfjsOverOurs = row.oursMs ? row.tfjsMs / row.oursMs : null; // > 1: ours faster (no goal since issue 21)
  row.tfjsOverFast = row.tfjsMs / row.fastMs; // goal ≥ 5
  row.tfjsOverOursCpu = row.oursCpuMs ? row.tfjsCpuMs / row.oursCpuMs : null;
  row.tfjsOverFastCpu = row.tfjsCpuMs / row.fastCpuMs;
  row.fastOverTorch64 = row.torch64Ms ? row.fastMs / row.torch64Ms : null; // > 1: torch faster (goal ≤ 5 at n ≥ 128)
  row.oursOverTorch = row.torchMs && row.oursMs ? row.oursMs / row.torchMs : null;
}

// memory at the largest n, each implementation in a fresh process
const memory = [];
if (only.has("forward") && !flag("no-memory")) {
  const nMem = Math.max(...sizes);
  for (const dModel of dModels) {
    for (const impl of nMem <= oursMaxN ? ["ours", "fast", "tfjs"] : ["fast", "tfjs"]) {
      log(`memory: ${impl} n=${nMem} dModel=${dModel} ...`);
      const r = spawnSync(process.execPath, ["--expose-gc", path.join(ROOT, "bench", "memory.mjs"), impl, String(nMem), String(dModel), String(numHeads)],
        { encoding: "utf8", maxBuffer: 1 << 24 });
      if (r.status === 0) memory.push(JSON.parse(r.stdout.trim().split("\n").pop()));
      else log(`memory.mjs ${impl} failed:\n${r.stderr}`);
    }
  }
}

// the parts (PARTS above), one after the other, each against its reference in another process
const extra = {};
for (const name of PARTS) {
  const file = path.join(ROOT, "bench", `${name}.mjs`);
  if (!only.has(name)) continue;
  if (!existsSync(file)) {
    extra[name] = { skipped: `bench/${name}.mjs is not there` };
    log(`${name} skipped: bench/${name}.mjs is not there`);
    continue;
  }
  log(`timing ${name} (bench/${name}.mjs, in a fresh process: bench/part.mjs) ...`);
  try {
    // the machine was found idle at the run's start; a part's own load average then counts the parts before it, so
    // the part is told (MHA_BENCH_IDLE_AT_START) and records that load with its figures instead of "LOADED"
    const opts = { rounds, budgetMs: quick ? 300 : 1500, force, quick, torch: !flag("no-torch") };
    const env = idle.ok ? { ...process.env, MHA_BENCH_IDLE_AT_START: String(idle.load1) } : process.env;
    const r = spawnSync(process.execPath, ["--expose-gc", path.join(ROOT, "bench", "part.mjs"), name, JSON.stringify(opts)],
      { cwd: ROOT, env, encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "inherit"] });
    if (r.status !== 0) throw new Error(`bench/part.mjs ${name} exited ${r.status}`);
    extra[name] = JSON.parse(r.stdout.trim().split("\n").pop());
  } catch (e) {
    extra[name] = { error: String(e?.stack ?? e).slice(0, 2000) };
    log(`${name} failed: ${e?.message ?? e}`);
  }
}

// the course's own timings (scripts/bench_notebooks.py merges them into results.json itself)
const resultsPath = path.resolve(opt("out", path.join(ROOT, "bench", quick ? "results-quick.json" : "results.json")));
const stem = resultsPath.replace(/\.json$/, "");
const nbScript = path.join(ROOT, "scripts", "bench_notebooks.py");
const runtimePy = path.join(ROOT, ".venv", "bin", "python");
const benchMs = performance.now() - tStart;
const previous = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, "utf8")) : {};
const results = {
  machine: {
    cpu: (os.cpus()[0]?.model ?? "unknown").trim(), nproc: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version, platform: `${os.platform()} ${os.arch()}`, date: new Date().toISOString(),
    loadBefore: { load1: idle.load1, load5: idle.load5 }, loadAfter: os.loadavg()[0], loaded: !idle.ok, note: idle.note,
  },
  command: `node --expose-gc bench/run.mjs ${argv.join(" ")}`.trim(),
  quick,
  oursMaxN,
  probe,
  method: {
    gate: "refuses to start when the 1-minute load average exceeds 1.0; --force runs anyway and marks the results LOADED",
    timing: `implementations interleaved (ours, fast, tfjs, ours, …) over ${rounds} rounds after a time-based warm-up (≥ 300 ms or 50 calls); ` +
      `per round the median of its calls (calibrated to ~${budgetMs} ms per implementation in all); reported: median over rounds, with min–max; a forced gc and a 30 ms pause before a block of calls when the blocks before left > 64 MB of garbage (outside the timing, so none pays for another's garbage), none between calls`,
    flops: "mhaCost(...).flops.total: the Q/K/V and output projections, both attention products (multiply-add = 2 FLOPs), biases and the 1/√dK scale; softmax and our extra per-head contributions are not counted",
    roofline: "matmulProbe: float64 256×256·256×256 on Float64Array with 2×2 register tiles, one core (GFLOP/s); rows give GFLOP/s ÷ probe",
    ours: `MultiHeadAttention.forward(x): the readable path, mathjs steps on mathjs's own multiply; full trace as nested arrays, float64; n ≤ ${oursMaxN} only`,
    fast: "fastForward(mha, x), then trace.flat.output and trace.flat.weights read (Float64Arrays, as tfjs's dataSync); same numbers as ours to rounding; one flat pass (mhaForwardFlat): products in WebAssembly SIMD, softmax a JavaScript loop",
    tfjs: "@tensorflow/tfjs-core + tfjs-backend-cpu 4.22, float32, same process: one matMul per projection, reshape/transpose for heads, tf.tidy; reads back output and weights with dataSync",
    torch: "PyTorch CPU nn.MultiheadAttention, separate process (scripts/bench_torch.py, same rounds), need_weights=True, average_attn_weights=False, inference_mode; torch = float32 1 thread, torchMt = float32 default threads, torch64 = float64 1 thread",
    memory: "fresh node --expose-gc process per implementation; retained = heapUsed + arrayBuffers (typed arrays and the WebAssembly memory) after gc with the trace alive, minus before; peakRss = growth of resourceUsage().maxRSS across the call",
  },
  torch: torch ? { version: torch.torch, defaultThreads: torch.defaultThreads } : null,
  rows,
  memory,
  ...extra,
  benchSeconds: benchMs / 1000,
  notebooks: previous.notebooks ?? null,
};
writeFileSync(resultsPath, JSON.stringify(results, null, 2) + "\n");

if (!quick && !flag("no-notebooks") && existsSync(nbScript) && existsSync(runtimePy)) {
  log("timing the course notebooks (scripts/bench_notebooks.py) ...");
  const r = spawnSync(runtimePy, [nbScript, "--merge", resultsPath], { encoding: "utf8", stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) log(`bench_notebooks.py exited ${r.status}`);
}
const final = JSON.parse(readFileSync(resultsPath, "utf8"));
final.totalSeconds = (performance.now() - tStart) / 1000;
writeFileSync(resultsPath, JSON.stringify(final, null, 2) + "\n");

const md = renderMarkdown(final);
writeFileSync(`${stem}.md`, md);
if (rows.length) await writeChart(final, `${stem}.html`);
console.log(md);

/** train.mjs and encode.mjs return figures without markdown: where their ours and reference summaries sit. */
function peersOf(name) {
  return {
    train: { what: "One Adam step of the toy model (bench/train.mjs)", ours: (e) => e.ours, refs: { "tfjs float32": (e) => e.tfjs, "PyTorch float64, 1 thread": (e) => e.torch?.f64, "PyTorch float32, 1 thread": (e) => e.torch?.f32 } },
    encode: { what: "MiniLM encode of a 32-token sentence (bench/encode.mjs)", ours: (e) => e.js, refs: { "PyTorch float64, 1 thread": (e) => e.torchF64, "PyTorch float32, 1 thread": (e) => e.torchF32 } },
  }[name];
}

/** ms (median, min–max) of ours and each reference, and ours ÷ each reference with its spread. */
function peerTable(e, peers) {
  const sum = (x) => (x && (x.median ?? x.ms) != null ? { median: x.median ?? x.ms, min: x.min, max: x.max } : null);
  const ours = sum(peers.ours(e));
  const lines = [`${peers.what}: median ms over rounds (min–max); ours ÷ reference as median× (best–worst).`, "", "| | ms | ours ÷ this |", "|---|---|---|", `| ours | ${formatSpread(ours)} | |`];
  for (const [label, get] of Object.entries(peers.refs)) {
    const ref = sum(get(e));
    lines.push(`| ${label} | ${formatSpread(ref)} | ${ours && ref ? formatRatio(ratioSpread(ours, ref)) : "–"} |`);
  }
  return lines.join("\n");
}

function renderMarkdown(res) {
  const f = (v, d = 2) => (v == null || Number.isNaN(v) ? "–" : v >= 100 ? v.toFixed(0) : v.toFixed(d));
  const x = (v) => (v == null || Number.isNaN(v) ? "–" : `${v.toFixed(1)}×`);
  const range = (r, k) => (r[`${k}Ms`] == null ? "–" : `${f(r[`${k}Ms`], 3)} (${f(r[`${k}Min`], 3)}–${f(r[`${k}Max`], 3)})`);
  const lines = [];
  const m = res.machine;
  if (m.loaded) lines.push(`> **LOADED MACHINE — not figures.** ${m.note}. Re-run on an idle machine without --force.`, "");
  if (res.quick) lines.push("> **--quick sanity run** (short budget, n ≤ 128): not figures.", "");
  lines.push(`Machine: ${m.cpu}, ${m.nproc} cores, ${m.memGiB} GiB, Node ${m.node}${res.torch ? `, torch ${res.torch.version}` : ""}; ${m.date}; ` +
    `load average ${m.loadBefore.load1.toFixed(2)} before, ${m.loadAfter.toFixed(2)} after. Command: \`${res.command}\`.`);
  lines.push("");
  lines.push(`Roofline: the float64 matmul probe runs at ${f(res.probe.gflops)} GFLOP/s on one core.`);
  if (res.rows.length) {
    lines.push("");
    lines.push("Median ms over rounds (min–max). GFLOP/s from mhaCost; % of the probe in brackets.");
    lines.push("");
    lines.push("| n | dModel | ours ms | fast ms | tfjs ms | torch f64 1t ms | torch f32 1t ms | GFLOP/s ours / fast / tfjs / torch f64 | tfjs ÷ ours (no goal) | tfjs ÷ fast (goal ≥ 5) | fast ÷ torch f64 (goal ≤ 5 at n ≥ 128) |");
    lines.push("|---:|---:|---|---|---|---|---|---|---:|---:|---:|");
    for (const r of res.rows) {
      lines.push(`| ${r.n} | ${r.dModel} | ${range(r, "ours")} | ${range(r, "fast")} | ${range(r, "tfjs")} | ${range(r, "torch64")} | ${range(r, "torch")} | ` +
        `${f(r.oursGflops)} (${f(100 * r.oursRoofline, 0)}%) / ${f(r.fastGflops)} (${f(100 * r.fastRoofline, 0)}%) / ${f(r.tfjsGflops)} / ${f(r.torch64Gflops)} | ` +
        `${x(r.tfjsOverOurs)} | ${x(r.tfjsOverFast)} | ${x(r.fastOverTorch64)} |`);
    }
    lines.push("");
    const values = (k, pred) => res.rows.filter(pred).map((r) => r[k]).filter((v) => v != null);
    const minOf = (k, pred = () => true) => (values(k, pred).length ? Math.min(...values(k, pred)) : null);
    const maxOf = (k, pred = () => true) => (values(k, pred).length ? Math.max(...values(k, pred)) : null);
    lines.push(`Goals (the readable forward has none since issue 21: it must keep notebook cells ≤ 2 s): ` +
      `fast ≥ 5× tfjs — lowest tfjs ÷ fast ${x(minOf("tfjsOverFast"))}; ` +
      `fast within 5× of PyTorch float64 1 thread at n ≥ 128 — worst fast ÷ torch f64 ${x(maxOf("fastOverTorch64", (r) => r.n >= 128))}.`);
    lines.push(`Max |fast − ours| over the output (n ≤ ${res.oursMaxN ?? 256}): ${Math.max(...res.rows.map((r) => r.maxAbsDiffFast ?? 0)).toExponential(1)}; max |tfjs − ours| (float32): ${Math.max(...res.rows.map((r) => r.maxAbsDiffTfjs)).toExponential(1)}.`);
  }
  if (res.memory?.length) {
    lines.push("");
    lines.push("| memory at n | dModel | impl | ms | retained MB (heap + ArrayBuffers) | peak RSS growth MB | trace minimum MB (data + headers) |");
    lines.push("|---:|---:|---|---:|---:|---:|---:|");
    const mb = (b) => (b == null ? "–" : (b / 2 ** 20).toFixed(1));
    for (const mm of res.memory) lines.push(`| ${mm.n} | ${mm.dModel} | ${mm.impl} | ${f(mm.ms, 1)} | ${mb(mm.retainedBytes)} | ${mb(mm.peakRssBytes)} | ${mb(mm.minBytes)} |`);
  }
  for (const name of PARTS) {
    const e = res[name];
    if (!e) continue;
    lines.push("", `### ${name}`, "");
    if (e.skipped) lines.push(`Skipped: ${e.skipped}.`);
    else if (e.error) lines.push("Failed:", "", "```", e.error.split("\n").slice(0, 6).join("\n"), "```");
    else if (typeof e.markdown === "string") lines.push(e.markdown);
    else if (peersOf(name)) lines.push(peerTable(e, peersOf(name)));
    else lines.push("```json\n" + JSON.stringify(e, null, 1).slice(0, 4000) + "\n```");
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
    const c = nb.course;
    if (c && c.trainingCellsS !== undefined) {
      lines.push("", `Training cells (tagged "training", allowed 15 s): ${f(c.trainingCellsS)} s in all, the slowest ${f(c.slowestTrainingCellS)} s. ` +
        `Every other cell: the slowest ${f(c.slowestOtherCellS)} s (goal ≤ 2 s). The course without its training cells: ` +
        `${f(c.runAllWithoutTrainingS)} s, ${f(c.ratioWithoutTraining)}× the floor; with them ${f(c.ratioToFloor)}× (goal ≤ 2×).`);
    }
  }
  lines.push("");
  lines.push(`Bench time: ${f(res.benchSeconds, 1)} s${res.totalSeconds ? `, ${f(res.totalSeconds, 1)} s in all` : ""}.`);
  return lines.join("\n") + "\n";
}
