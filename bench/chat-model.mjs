#!/usr/bin/env node
// The chat model (mha-lab/llm, SmolLM2-135M-Instruct from its GGUF) against transformers' LlamaForCausalLM on the same
// GGUF (bench/chat_model_torch.py in .venv-llm-ref, float32 as transformers loads it, one thread), same machine, one
// after the other, the same 64 prompt ids (passed to Python, not re-tokenized):
//   load     loadChatModel() (read, parse, dequantize), wall s; resident memory after it (RSS after a gc) and the
//            process's peak (VmHWM) after the rounds (before the bandwidth probe's 1 GB of arrays)
//   prefill  the 64-token prompt into an empty KV cache (ours: model.prefill, transformers: model(ids, use_cache))
//   decode   64 new tokens, one at a time against the KV cache, greedy: per round the median wall ms per token
//            (and CPU ms, process.cpuUsage); tokens/s = 1000 / that
//   rounds   a warm-up (8-token prompt, 4 tokens) first, then `rounds` rounds of prefill + decode, each from an empty
//            cache; every figure is the median over rounds with the min–max
//   check    the greedy continuations of both, compared token by token (float32 vs ours: the first differing
//            position, if any, is reported, not hidden)
//   memory bandwidth probe: copying a 512 MB Float32Array (bytes read + written per second); a token reads every
//            weight once (weightBytes), so bandwidth / weightBytes is the decoder's roofline in tokens/s
// Goals (issue 24): ≥ 20 tokens/s on one core, faster than transformers float32 on one thread, load ≤ 5 s.
//   standalone: npm run build && node --expose-gc bench/chat-model.mjs [--rounds 3] [--prompt 64] [--new 64] [--no-torch] [--force]
//   from bench/run.mjs: import { run } from "./chat-model.mjs"; await run({ rounds, force, quick, torch })
// It refuses to start when the 1-minute load average is above 1.0 (--force runs anyway and marks the figures LOADED).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkIdle, formatRatio, formatSpread, median, ratioSpread, require, ROOT, summarize } from "./common.mjs";

export const CONFIG = { promptTokens: 64, newTokens: 64, rounds: 3, text: "The history of the city goes back thousands of years. " };

/** Copying a 512 MB Float32Array: bytes read + written per second, best of 4 (a JS sum loop is no probe: it is bound by its add chain). */
export function bandwidthGBs() {
  const a = new Float32Array(128 * 2 ** 20);
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

/** A process's peak resident set (VmHWM) in MB, from /proc (null where there is no /proc). */
export function peakRssMB(pid = "self") {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Bytes of every typed array in the weights (embedding, every layer's matrices and norms, final norm). */
function weightBytes(w) {
  let bytes = 0;
  const walk = (v) => {
    if (ArrayBuffer.isView(v)) bytes += v.byteLength;
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(w);
  return bytes;
}

/** One round: prefill `ids`, then `newTokens` greedy tokens; ms of the prefill and per-token wall and CPU ms. */
function oneRound(model, argmax, ids, newTokens) {
  let t = performance.now();
  const d = model.prefill(ids, ids.length + newTokens);
  const prefillMs = performance.now() - t;
  const wall = [], cpu = [], out = [];
  let next = argmax(d.logits);
  for (let i = 0; i < newTokens; i++) {
    out.push(next);
    const c = process.cpuUsage();
    t = performance.now();
    const logits = d.next(next);
    wall.push(performance.now() - t);
    const dc = process.cpuUsage(c);
    cpu.push((dc.user + dc.system) / 1000);
    next = argmax(logits);
  }
  return { prefillMs, decodeMs: median(wall), decodeCpuMs: median(cpu), ids: out };
}

/** transformers on the same ids (another process); null when .venv-llm-ref is missing, { error } when it fails. */
function runTorch(ids, { newTokens, rounds }) {
  const py = path.join(ROOT, ".venv-llm-ref", "bin", "python");
  if (!fs.existsSync(py)) return { skipped: `${py} not found (npm run setup makes .venv-llm-ref)` };
  const r = spawnSync(py, [path.join(ROOT, "bench", "chat_model_torch.py"), JSON.stringify({ ids, newTokens, rounds })],
    { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) return { error: (r.stderr || String(r.error)).slice(-800) };
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/** The first position where two id lists differ, or null when they agree over the shorter one. */
const firstDifference = (a, b) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return null;
};

/**
 * Load, prefill and decode, ours then transformers'.
 * @param opts { rounds = 3, promptTokens = 64, newTokens = 64, torch = true, force = false, quick = false (8 + 8 tokens, 1 round, no transformers) }
 * @returns { config, idle, ours: { loadS, rssMB, peakRssMB, prefillMs, decodeMs, decodeCpuMs ({ median, min, max, n } each),
 *   tokensPerS, weightGB, bandwidthGBs, rooflineTokensPerS, ids }, torch, ratios, greedy, markdown }
 */
export async function run({ rounds = CONFIG.rounds, promptTokens = CONFIG.promptTokens, newTokens = CONFIG.newTokens, torch = true, force = false, quick = false } = {}) {
  if (quick) [rounds, promptTokens, newTokens, torch] = [1, 8, 8, false];
  const idle = checkIdle({ force }); // recorded; the gate is the caller's (run.mjs's at its start, or the standalone one below)
  const { loadChatModel, argmax } = require("mha-lab/llm");
  const t0 = performance.now();
  const model = await loadChatModel();
  const loadS = (performance.now() - t0) / 1000;
  globalThis.gc?.();
  const rssMB = process.memoryUsage().rss / 2 ** 20;
  const ids = model.tokenize(CONFIG.text.repeat(Math.ceil(promptTokens / 8) + 1)).ids.slice(0, promptTokens); // (promptTokens,)
  if (ids.length !== promptTokens) throw new Error(`chat-model: the prompt text gave ${ids.length} tokens, fewer than ${promptTokens}`);

  oneRound(model, argmax, ids.slice(0, Math.min(8, promptTokens)), Math.min(4, newTokens)); // warm-up: the kernels' optimised tier
  const per = [];
  for (let r = 0; r < rounds; r++) per.push(oneRound(model, argmax, ids, newTokens));
  const decodeMs = summarize(per.map((p) => p.decodeMs));
  const peakMB = peakRssMB(); // before the bandwidth probe's 1 GB of arrays
  const bw = bandwidthGBs();
  const wGB = weightBytes(model.weights) / 1e9;
  const ours = {
    loadS, rssMB, peakRssMB: peakMB,
    prefillMs: summarize(per.map((p) => p.prefillMs)), decodeMs, decodeCpuMs: summarize(per.map((p) => p.decodeCpuMs)),
    tokensPerS: 1000 / decodeMs.median, weightGB: wGB, bandwidthGBs: bw, rooflineTokensPerS: bw / wGB, ids: per[0].ids,
  };
  const ref = torch ? runTorch(ids, { newTokens, rounds }) : { skipped: quick ? "--quick: transformers not loaded (about 30 s)" : "--no-torch" };
  const out = { config: { promptTokens, newTokens, rounds, threads: 1 }, idle, ours, torch: ref };
  if (ref.decodeMs) {
    out.ratios = {
      decode: ratioSpread(ours.decodeMs, ref.decodeMs), // < 1: ours faster (goal)
      prefill: ratioSpread(ours.prefillMs, ref.prefillMs),
      load: ours.loadS / ref.loadS,
    };
    const at = firstDifference(ours.ids, ref.ids);
    out.greedy = { sameTokens: at === null ? ours.ids.length : at, of: ours.ids.length, firstDifference: at };
  }
  out.markdown = renderChat(out);
  return out;
}

function renderChat(r) {
  const o = r.ours, t = r.torch;
  const ms = (s) => formatSpread(s, 1);
  const lines = [
    `SmolLM2-135M-Instruct (GGUF Q4_1), prompt ${r.config.promptTokens} tokens, ${r.config.newTokens} new tokens greedy with the KV cache, ` +
      `${r.config.rounds} round(s) after a warm-up; median over rounds (min–max); one thread each.${r.idle.ok ? "" : ` **${r.idle.note}**`}`,
    "",
    "| | load s | RSS after load MB | peak RSS MB | prefill ms | decode ms/token | tokens/s |",
    "|---|---:|---:|---:|---|---|---:|",
    `| ours (mha-lab/llm) | ${o.loadS.toFixed(2)} | ${o.rssMB.toFixed(0)} | ${o.peakRssMB?.toFixed(0) ?? "–"} | ${ms(o.prefillMs)} | ${ms(o.decodeMs)} | ${o.tokensPerS.toFixed(1)} |`,
    t.decodeMs
      ? `| transformers ${t.transformers ?? ""} float32 | ${t.loadS.toFixed(2)} | ${t.rssMB.toFixed(0)} | ${t.peakRssMB.toFixed(0)} | ${ms(t.prefillMs)} | ${ms(t.decodeMs)} | ${(1000 / t.decodeMs.median).toFixed(1)} |`
      : `| transformers | ${t.skipped ?? "failed: " + String(t.error).split("\n").filter(Boolean).pop()} | | | | | |`,
    "",
    `Ours ÷ transformers (median, best–worst from the min–max): decode ${formatRatio(r.ratios?.decode)}, prefill ${formatRatio(r.ratios?.prefill)}, load ${r.ratios ? r.ratios.load.toFixed(2) + "×" : "–"}. ` +
      `Goals: ≥ 20 tokens/s (${o.tokensPerS.toFixed(1)}), faster than transformers (decode ratio < 1), load ≤ 5 s (${o.loadS.toFixed(2)} s).`,
    `Memory bandwidth (512 MB copy) ${o.bandwidthGBs.toFixed(1)} GB/s; weights ${o.weightGB.toFixed(2)} GB a token: roofline ${o.rooflineTokensPerS.toFixed(1)} tokens/s, ` +
      `the decoder at ${((100 * o.tokensPerS) / o.rooflineTokensPerS).toFixed(0)}% of it.`,
  ];
  if (r.greedy) lines.push(`Greedy continuations: the same ${r.greedy.sameTokens} of ${r.greedy.of} tokens${r.greedy.firstDifference === null ? "" : ` (first difference at new token ${r.greedy.firstDifference}: float32 against ours)`}.`);
  return lines.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name, d) => {
    const i = args.indexOf(`--${name}`);
    return i < 0 ? d : Number(args[i + 1]);
  };
  const idle = checkIdle({ force: args.includes("--force") });
  if (!idle.ok && !args.includes("--force")) {
    console.error(`${idle.note}: run on an idle machine, or pass --force (figures marked LOADED)`);
    process.exit(2);
  }
  const r = await run({ rounds: arg("rounds", CONFIG.rounds), promptTokens: arg("prompt", CONFIG.promptTokens), newTokens: arg("new", CONFIG.newTokens),
    torch: !args.includes("--no-torch"), force: args.includes("--force"), quick: args.includes("--quick") });
  console.error(r.markdown);
  const { markdown, ...json } = r;
  console.log(JSON.stringify(json, null, 1));
}
