// Shared helpers of the benchmark scripts (run.mjs, memory.mjs, train.mjs, encode.mjs, causal-lm.mjs, chat-model.mjs):
// seeded inputs, the load gate, interleaved timing with median and min–max, the roofline probe, FLOP count (from
// mhaCost), trace size, ratios with their spread, and the ours-vs-PyTorch training-step part.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";
import os from "node:os";

export const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The built package, imported by name exactly as a notebook would. */
export function loadMhaLab() {
  return require("mha-lab");
}

/** A seeded (rows, cols) matrix with entries in [-1, 1). */
export function randomMatrix(rows, cols, seed) {
  const r = require("mha-lab").mulberry32(seed); // the module's own seeded generator
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * r() - 1));
}

/**
 * FLOPs of one self-attention forward, from the package's own mhaCost (one formula, not two):
 * multiply-add = 2 FLOPs, plus biases and the 1/√dK scale; softmax not counted.
 */
export function mhaFlops(n, dModel, numHeads = 8) {
  return require("mha-lab").mhaCost({ dModel, numHeads, seqLen: n }).flops.total;
}

/** The median of a list of numbers (mean of the two middle ones for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median, min and max of a list of samples.
 * @returns { median, min, max, n }
 */
export function summarize(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/**
 * The 1-minute load average, and whether the machine is quiet enough to time on.
 * With force (a --force flag for development) a loaded machine is accepted but the result says so.
 * @param max the highest accepted 1-minute load average (default 1.0)
 * @returns { load1, load5, ok, forced, note }
 */
export function checkIdle({ max = 1.0, force = false } = {}) {
  const [load1, load5] = os.loadavg();
  // A part started by bench/run.mjs after the machine was found idle: its load average counts the parts before it
  const atRunStart = process.env.MHA_BENCH_IDLE_AT_START;
  if (atRunStart != null && load1 > max) {
    return { load1, load5, ok: true, forced: false, note: `load average ${load1.toFixed(2)} at this part's start, from the bench's own parts before it (${Number(atRunStart).toFixed(2)} when the run started)` };
  }
  const ok = load1 <= max;
  const note = ok ? `load average ${load1.toFixed(2)} ≤ ${max} before start`
    : `LOADED MACHINE: load average ${load1.toFixed(2)} > ${max} before start; timings are not trustworthy${force ? " (--force)" : ""}`;
  return { load1, load5, ok, forced: !ok && force, note };
}

const _pause = new Int32Array(new SharedArrayBuffer(4));

/** What the process holds in its heap and in ArrayBuffers (typed arrays, WebAssembly memory), bytes. */
function _held() {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * When the blocks before left more than 64 MB behind: a full gc, then 30 ms idle so V8's concurrent sweeping of it
 * ends before the next timing (needs --expose-gc). At n = 1024 the readable trace leaves 275 MB behind, and a round
 * is a single call: without this, whoever runs next pays for collecting it (fastForward measured 146–341 ms there,
 * against 141 ms in a fresh process). Small calls leave little, and are not collected for: a forced full gc shrinks
 * V8's young generation, and the next 50 calls of the readable forward at n = 8 then took 0.17 ms instead of 0.13.
 * @param base what _held() was after a gc before the first block
 */
function _collectGarbage(base) {
  if (typeof globalThis.gc !== "function" || _held() - base < 64 * 2 ** 20) return;
  globalThis.gc();
  Atomics.wait(_pause, 0, 0, 30);
}

/**
 * Time several implementations of the same thing fairly: interleaved A B C A B C … over `rounds` rounds,
 * so a burst of load from elsewhere hits all of them alike. Each implementation is warmed up first
 * (calls repeated until warmupMs is spent, at most 50, at least 1). In every round each implementation runs `reps` calls back to back (calibrated from the
 * warm-up so one round of one implementation takes about budgetMs / rounds, at least 1 call);
 * the round's figure is the median of its calls. The result is the median over rounds, with the
 * min–max over rounds next to it. It never forces a gc between calls: after a forced full gc, V8's
 * concurrent sweeping runs into the next call and made a 1.2 ms tfjs-cpu call take 15–40 ms here
 * (the source of last round's unbelievable "tfjs 80 ms at n = 8"); natural gc stays in every figure,
 * charged to whoever allocates. Before a block of calls, when the blocks before left more than 64 MB behind, it
 * collects that garbage and waits for the sweeping to end (_collectGarbage), outside the timing.
 * @param impls { name: () => unknown }: each call returns something (kept, so it is not optimised away)
 * @param opts { rounds = 5, budgetMs = 1000 per implementation, maxReps = 50 per round, warmupMs = 300 }
 * @returns { name: { ms (median over rounds), min, max, rounds: [per-round ms], cpuMs, reps } }
 * @example interleave({ a: () => f(x), b: () => g(x) }, { rounds: 5 }).a.ms
 */
export function interleave(impls, { rounds = 5, budgetMs = 1000, maxReps = 50, warmupMs = 300 } = {}) {
  const names = Object.keys(impls);
  const repsOf = {};
  for (const name of names) {
    const fn = impls[name];
    // warm up until warmupMs is spent (tfjs-cpu needs ~20 calls before its times settle), at least one call
    const w0 = performance.now();
    let warm = Infinity;
    for (let i = 0; i < 50 && (i === 0 || performance.now() - w0 < warmupMs); i++) {
      const t0 = performance.now();
      fn();
      warm = Math.min(warm, performance.now() - t0);
    }
    repsOf[name] = Math.max(1, Math.min(maxReps, Math.floor(budgetMs / rounds / Math.max(warm, 1e-3))));
  }
  globalThis.gc?.();
  const base = _held();
  const perRound = Object.fromEntries(names.map((n) => [n, []]));
  const cpuPerRound = Object.fromEntries(names.map((n) => [n, []]));
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const fn = impls[name];
      const samples = [];
      const cpu = [];
      _collectGarbage(base); // the garbage of the blocks before this one, outside the timing
      for (let i = 0; i < repsOf[name]; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const out = fn();
        samples.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        if (out != null) sink++;
      }
      perRound[name].push(median(samples));
      cpuPerRound[name].push(median(cpu));
    }
  }
  const result = {};
  for (const name of names) {
    const s = summarize(perRound[name]);
    result[name] = { ms: s.median, min: s.min, max: s.max, rounds: perRound[name], cpuMs: median(cpuPerRound[name]), reps: repsOf[name] };
  }
  result._sink = sink;
  return result;
}

/**
 * Single-core float64 dense matmul probe: the GFLOP/s a straightforward register-tiled JS kernel reaches
 * on this machine (n×n times n×n on Float64Array, 2n³ FLOPs), the roofline every figure is read against.
 * @param n the matrix size (default 256)
 * @returns { n, ms, gflops }
 */
export function matmulProbe(n = 256, { rounds = 5 } = {}) {
  const a = new Float64Array(n * n), bt = new Float64Array(n * n), c = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) { a[i] = Math.sin(i); bt[i] = Math.cos(i); }
  const run = () => {
    for (let i = 0; i < n; i += 2) {
      for (let j = 0; j < n; j += 2) {
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
        const a0 = i * n, a1 = a0 + n, b0 = j * n, b1 = b0 + n;
        for (let p = 0; p < n; p++) {
          const x = a[a0 + p], y = a[a1 + p], u = bt[b0 + p], v = bt[b1 + p];
          s00 += x * u; s01 += x * v; s10 += y * u; s11 += y * v;
        }
        c[i * n + j] = s00; c[i * n + j + 1] = s01; c[(i + 1) * n + j] = s10; c[(i + 1) * n + j + 1] = s11;
      }
    }
    return c;
  };
  const t = interleave({ probe: run }, { rounds, budgetMs: 500 });
  return { n, ms: t.probe.ms, gflops: (2 * n ** 3) / t.probe.ms / 1e6 };
}

/**
 * Count what a trace holds: distinct arrays and the numbers in them (shared arrays counted once).
 * @returns { numbers, arrays, bytesData: numbers·8, bytesOverhead: arrays·48 (32 B JSArray + 16 B FixedDoubleArray header, x64 without pointer compression) }
 */
export function traceSize(trace) {
  const seen = new Set();
  let numbers = 0;
  let arrays = 0;
  const walk = (v) => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      arrays++;
      for (const x of v) {
        if (typeof x === "number") numbers++;
        else walk(x);
      }
    } else {
      for (const x of Object.values(v)) walk(x);
    }
  };
  walk(trace);
  return { numbers, arrays, bytesData: numbers * 8, bytesOverhead: arrays * 48 };
}

/**
 * ours ÷ reference from two { median, min, max } summaries: the ratio of the medians, and the extremes the two
 * min–max ranges allow (best = ours.min ÷ ref.max, worst = ours.max ÷ ref.min).
 * @example ratioSpread({ median: 2, min: 1, max: 3 }, { median: 1, min: 1, max: 2 }) // returns { median: 2, best: 0.5, worst: 3 }
 */
export function ratioSpread(ours, ref) {
  return { median: ours.median / ref.median, best: ours.min / ref.max, worst: ours.max / ref.min };
}

/** "12.30 (11.90–13.10)" for a { median, min, max } summary, "–" for none. */
export function formatSpread(x, digits = 2) {
  return x && x.median != null ? `${x.median.toFixed(digits)} (${x.min.toFixed(digits)}–${x.max.toFixed(digits)})` : "–";
}

/** "1.85× (1.60–2.10)" for a ratioSpread, "–" for none. */
export function formatRatio(r) {
  return r ? `${r.median.toFixed(2)}× (${r.best.toFixed(2)}–${r.worst.toFixed(2)})` : "–";
}

/**
 * ms per call of step(k): `steps` warm-up calls, then per round the mean of `steps` consecutive calls (k counting on).
 * @returns { median, min, max, n } over rounds
 * @example timeSteps((k) => model.lossAndGrad(batches[k % 4], grad), { rounds: 7, steps: 50 }).median
 */
export function timeSteps(step, { rounds = 7, steps = 50 } = {}) {
  let k = 0;
  for (let i = 0; i < steps; i++) step(k++); // warm-up
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step(k++);
    times.push((performance.now() - t0) / steps);
  }
  return summarize(times);
}

/**
 * A reference script of bench/ run in .venv-ref (PyTorch) with one JSON argument; its last stdout line, parsed.
 * @throws "<script> failed: <its stderr>" when it exits non-zero
 * @example runReferenceScript("causal_lm_torch.py", { ...CONFIG, rounds, steps }).median
 */
export function runReferenceScript(script, config) {
  const py = path.join(ROOT, ".venv-ref", "bin", "python");
  const r = spawnSync(py, [path.join(ROOT, "bench", script), JSON.stringify(config)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/**
 * One training step timed in ours, then in PyTorch (another process), for a bench part written like
 * bench/causal-lm.mjs: it exports CONFIG, runOurs({ rounds, steps }) and runTorch({ rounds, steps }), each
 * returning ms per step as { median, min, max } over rounds, and numParams if it can (two different counts are an
 * error: not the same model); GOAL, the ratio not to exceed, if it has one.
 * @param part the imported module
 * @param opts { rounds = 7, steps = 50, torch = true, force = false, quick = false (2 rounds of 3 steps: a smoke run) }
 * @returns { config, rounds, steps, idle, ours, torch ({ median, min, max } | { skipped } | { error }), ratio (ratioSpread), goal, markdown }
 */
export function adamStepPart(part, { rounds = 7, steps = 50, torch = true, force = false, quick = false } = {}) {
  if (quick) [rounds, steps] = [2, 3];
  const idle = checkIdle({ force });
  const ours = part.runOurs({ rounds, steps });
  let ref = { skipped: "--no-torch" };
  if (torch) {
    try {
      ref = part.runTorch({ rounds, steps });
    } catch (e) {
      ref = { error: String(e?.message ?? e).slice(-800) };
    }
  }
  const out = { config: part.CONFIG, rounds, steps, idle, ours, torch: ref, goal: part.GOAL ?? null };
  if (ref.median) out.ratio = ratioSpread(ours, ref);
  // the same model on both sides, as far as a count can tell
  if (ref.numParams != null && ours.numParams != null && ref.numParams !== ours.numParams) {
    throw new Error(`not the same model: ours has ${ours.numParams} parameters, PyTorch's ${ref.numParams} (config ${JSON.stringify(part.CONFIG)})`);
  }
  const c = part.CONFIG ?? {};
  out.markdown = [
    `One Adam step (${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(", ")}); each figure the median over ${rounds} rounds of the mean of ${steps} steps (min–max).` +
      (idle.ok ? "" : ` **${idle.note}**`),
    "",
    "| | ms per step |",
    "|---|---|",
    `| ours (float64) | ${formatSpread(ours)} |`,
    `| PyTorch float64, 1 thread | ${ref.median ? formatSpread(ref) : ref.skipped ?? "failed: " + String(ref.error).split("\n").filter(Boolean).pop()} |`,
    "",
    `Ours ÷ PyTorch (median, best–worst): ${formatRatio(out.ratio)}${out.goal ? `; goal ≤ ${out.goal}× — ${out.ratio ? (out.ratio.median <= out.goal ? "met" : "**missed**") : "not measured"}` : ""}.`,
  ].join("\n");
  return out;
}
