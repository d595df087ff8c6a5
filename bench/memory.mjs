// Memory of one forward pass at a given size, measured in a fresh process (run with --expose-gc).
// Usage: node --expose-gc bench/memory.mjs <impl: ours|fast|tfjs> <n> <dModel> [numHeads=8]
// Prints one JSON object:
//   retainedBytes  heapUsed + arrayBuffers (typed arrays, and the WebAssembly module's scratch memory) after gc with
//                  the trace alive, minus the same before the call
//   peakRssBytes   growth of the process's peak resident set (resourceUsage().maxRSS) across the call:
//                  the true peak, including garbage made and freed during the call and typed-array memory
//   heapAfterCallBytes  heapUsed right after the call, before any gc, minus the baseline
//   minBytes       numbers in the trace × 8 B (+ arrays × 48 B header estimate), counted by walking it
import { loadMhaLab, randomMatrix, require, traceSize } from "./common.mjs";
import { loadTf, makeTfjsMha } from "./tfjs-mha.mjs";

const [impl = "ours", nArg = "1024", dArg = "256", hArg = "8"] = process.argv.slice(2);
const n = Number(nArg), dModel = Number(dArg), numHeads = Number(hArg);
const gc = globalThis.gc;
if (!gc) throw new Error("run with node --expose-gc");

const { MultiHeadAttention } = loadMhaLab();
const mha = MultiHeadAttention.random({ dModel, numHeads, seed: 1 });
const x = randomMatrix(n, dModel, 2);
let run;
if (impl === "ours") run = () => mha.forward(x);
else if (impl === "fast") {
  const fast = require("mha-lab/fast");
  run = () => {
    const t = fast.fastForward(mha, x);
    void t.flat.output, void t.flat.weights; // what tfjs reads back (dataSync); the nested fields stay lazy
    return t;
  };
} else if (impl === "tfjs") {
  const tf = await loadTf();
  const f = makeTfjsMha(tf, mha.params, numHeads);
  const xt = tf.tensor2d(x);
  run = () => f(xt);
} else throw new Error(`impl must be ours, fast or tfjs, got ${impl}`);

// a tiny warm-up so compiled code and tfjs kernels exist before the baseline
const small = randomMatrix(4, dModel, 3);
if (impl === "tfjs") run(); else (impl === "ours" ? mha.forward(small) : require("mha-lab/fast").fastForward(mha, small));
gc(); gc();
const held = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
const heap0 = process.memoryUsage().heapUsed;
const held0 = held();
const maxRss0 = process.resourceUsage().maxRSS * 1024;
const t0 = performance.now();
const trace = run();
const ms = performance.now() - t0;
const heapAfterCall = process.memoryUsage().heapUsed - heap0;
const peakRss = process.resourceUsage().maxRSS * 1024 - maxRss0;
gc(); gc();
const retained = held() - held0;
const size = impl === "tfjs" ? null : traceSize(trace);
console.log(JSON.stringify({
  impl, n, dModel, numHeads, ms,
  retainedBytes: retained,
  peakRssBytes: peakRss,
  heapAfterCallBytes: heapAfterCall,
  traceNumbers: size?.numbers ?? null,
  traceArrays: size?.arrays ?? null,
  minBytes: size ? size.bytesData + size.bytesOverhead : null,
  minDataBytes: size ? size.bytesData : null,
  keep: typeof trace, // keeps the trace alive until here
}));
