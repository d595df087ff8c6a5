// Shared helpers of the benchmark scripts: seeded inputs, timing, FLOP count, trace size.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The built package, imported by name exactly as a notebook would. */
export function loadMhaLab() {
  return require("mha-lab");
}

/** The optional fast kernel (src/math/fast, built to dist/math/fast), or null when absent. */
export function loadFast() {
  const p = path.join(ROOT, "dist", "math", "fast", "index.js");
  return existsSync(p) ? require(p) : null;
}

/** A seeded (rows, cols) matrix with entries in [-1, 1). */
export function randomMatrix(rows, cols, seed) {
  const r = require("mha-lab").mulberry32(seed); // the module's own seeded generator
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * r() - 1));
}

/**
 * FLOPs of one self-attention forward, multiply-add = 2 FLOPs, softmax/bias/scale not counted:
 * Q, K, V projections 3·2nE², scores QKᵀ 2n²E (summed over heads), weights·V 2n²E, output projection 2nE².
 * Total 8nE² + 4n²E. (Our trace also computes the per-head contributions, another 2nE², not counted.)
 */
export function mhaFlops(n, dModel) {
  return 8 * n * dModel * dModel + 4 * n * n * dModel;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Time fn: one warm-up call (two when it is fast), then timed calls until budgetMs is spent
 * (at least minReps, at most maxReps; a single timed call when the warm-up alone took over slowMs, and the
 * warm-up itself as the only sample when it took over 4·slowMs).
 * Runs global.gc() between calls when node was started with --expose-gc, outside the timed region.
 * Also records process CPU time per call (user + system, all threads of this process): on a loaded machine
 * a single-threaded call's CPU time is a steadier figure than its wall time.
 * @returns { ms: median wall ms, cpuMs: median CPU ms, reps, samples }
 */
export function timeIt(fn, { budgetMs = 1000, minReps = 3, maxReps = 30, slowMs = 3000 } = {}) {
  const gc = globalThis.gc ?? (() => {});
  gc();
  const cw = process.cpuUsage();
  let t0 = performance.now();
  fn();
  const warm = performance.now() - t0;
  const cWarm = process.cpuUsage(cw);
  if (warm < 50) fn();
  const samples = [];
  const cpu = [];
  if (warm > 4 * slowMs) return { ms: warm, cpuMs: (cWarm.user + cWarm.system) / 1000, reps: 1, samples: [warm], warmupOnly: true }; // JIT time is negligible here
  const reps = warm > slowMs ? 1 : minReps;
  const start = performance.now();
  while (samples.length < maxReps && (samples.length < reps || performance.now() - start < budgetMs)) {
    gc();
    const c0 = process.cpuUsage();
    t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms: median(samples), cpuMs: median(cpu), reps: samples.length, samples };
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
