// Training section of the benchmark: ONE Adam step of the course's toy model (token embedding + learned
// positions -> one MultiHeadAttention, residual -> linear read-out -> softmax cross-entropy), batch 32,
// L = 16, dModel = 32, h = 4, on the previous-token task (vocab 16).
//   ours   mha-lab/train stepper(model).step(batch): float64, forward + fast backward + Adam
//   tfjs   the same model written as a tfjs user would: tf.variableGrads + tf.train.adam (tfjs-core + cpu backend,
//          float32, pure JS, same process)
//   torch  PyTorch float64 and float32, 1 thread (scripts/bench_torch_train.py, another process)
// ours and tfjs are interleaved A B A B over the rounds (bench/common.mjs interleave); the two PyTorch variants
// are interleaved inside their own process. Each figure: median over rounds, with min–max.
// Standalone: node bench/train.mjs [--rounds 5] [--force]   (run `npm run build` first). bench/run.mjs calls run().
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkIdle, interleave, require, ROOT } from "./common.mjs";
import { loadTf } from "./tfjs-mha.mjs";

export const CONFIG = { batchSize: 32, length: 16, dModel: 32, numHeads: 4, vocab: 16, lr: 0.01, seed: 1 };

/**
 * The toy model in tfjs, from the same starting weights as ours (float32 copies), trained with tf.train.adam.
 * @returns { step(tokens Int32Array (B·L), targets Int32Array (B·L), weights Float32Array (B·L)) => loss number, dispose() }
 */
export function makeTfjsModel(tf, model, { batchSize: B, length: L, lr }) {
  const { dModel: E, numHeads: h, numClasses: C } = model.config;
  const dK = E / h;
  const p = model.mha.params;
  const v = (m) => tf.variable(tf.tensor(m));
  const vars = {
    embedding: v(model.params.embedding), positions: v(model.params.positions),
    wQ: v(p.wQ), wK: v(p.wK), wV: v(p.wV), wO: v(p.wO), bQ: v(p.bQ), bK: v(p.bK), bV: v(p.bV), bO: v(p.bO),
    readout: v(model.params.readout), readoutBias: v(model.params.readoutBias),
  };
  const optimizer = tf.train.adam(lr);
  const heads = (t) => tf.transpose(tf.reshape(t, [B, L, h, dK]), [0, 2, 1, 3]); // (B, h, L, dK)   (tfjs-core alone has no chained ops)
  const lossOf = (tokens, targets, weights) => {
    const x = tf.add(tf.reshape(tf.gather(vars.embedding, tokens), [B, L, E]), vars.positions); // (B, L, E)
    const x2 = tf.reshape(x, [B * L, E]);
    const q = heads(tf.add(tf.matMul(x2, vars.wQ), vars.bQ));
    const k = heads(tf.add(tf.matMul(x2, vars.wK), vars.bK));
    const vv = heads(tf.add(tf.matMul(x2, vars.wV), vars.bV));
    const a = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dK))); // (B, h, L, L)
    const concat = tf.reshape(tf.transpose(tf.matMul(a, vv), [0, 2, 1, 3]), [B * L, E]); // (B·L, E)
    const hidden = tf.add(tf.add(tf.matMul(concat, vars.wO), vars.bO), x2); // residual
    const logits = tf.add(tf.matMul(hidden, vars.readout), vars.readoutBias); // (B·L, C)
    return tf.losses.softmaxCrossEntropy(tf.oneHot(targets, C), logits, weights); // mean over weighted entries
  };
  return {
    step(tokens, targets, weights) {
      return tf.tidy(() => {
        const t = tf.tensor1d(tokens, "int32");
        const y = tf.tensor1d(targets, "int32");
        const w = tf.tensor1d(weights);
        const { value, grads } = tf.variableGrads(() => lossOf(t, y, w));
        optimizer.applyGradients(grads);
        return value.dataSync()[0];
      });
    },
    dispose() {
      Object.values(vars).forEach((x) => x.dispose());
      optimizer.dispose();
    },
  };
}

/**
 * tfjs-core's CommonJS build registers no gradients; the @tensorflow/tfjs package does it by importing
 * tfjs-core's dist/register_all_gradients.js, an ES module with extensionless imports that Node cannot load as
 * it is. Bundle that same file with esbuild (a devDependency) into a temporary CommonJS file and load it: it
 * registers into tfjs's global gradient registry, which the CommonJS tfjs-core shares.
 */
export function registerTfjsGradients() {
  const out = path.join(os.tmpdir(), `mha-lab-tfjs-gradients-${process.pid}.cjs`);
  require("esbuild").buildSync({
    entryPoints: [require.resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js")],
    bundle: true, platform: "node", format: "cjs", outfile: out, logLevel: "warning",
  });
  require(out);
  fs.rmSync(out);
}

/** Run PyTorch's peer (float64 and float32, 1 thread); null when .venv-ref is missing or it fails. */
function runTorch({ rounds }) {
  const py = path.join(ROOT, ".venv-ref", "bin", "python");
  const c = CONFIG;
  const r = spawnSync(py, [path.join(ROOT, "scripts", "bench_torch_train.py"), "--rounds", String(rounds),
    "--batch", String(c.batchSize), "--length", String(c.length), "--dmodel", String(c.dModel), "--heads", String(c.numHeads),
    "--vocab", String(c.vocab), "--lr", String(c.lr)], { encoding: "utf8" });
  if (r.status !== 0) return { error: (r.stderr || String(r.error)).slice(-500) };
  return JSON.parse(r.stdout);
}

/**
 * Time one Adam step: ours vs tfjs (interleaved, same process) and PyTorch (separate process).
 * @param opts { rounds = 5, budgetMs = 1500, force = false (time on a loaded machine anyway), torch = true }
 * @returns { config, idle, ours, tfjs, torch, ratios: { tfjsOverOurs, ... }, losses }
 */
export async function run({ rounds = 5, budgetMs = 1500, force = false, torch = true } = {}) {
  const idle = checkIdle({ force });
  const { tasks, TinyModel, stepper } = require("mha-lab/train");
  const c = CONFIG;
  const task = tasks.previousToken({ vocab: c.vocab, length: c.length, seed: c.seed });
  const model = TinyModel.random({ task, dModel: c.dModel, numHeads: c.numHeads, seed: c.seed });
  const batch = task.examples(c.batchSize, 7);
  const tokens = Int32Array.from(batch.flatMap((e) => e.tokens));
  const targets = Int32Array.from(batch.flatMap((e) => e.targets[0].map((t) => Math.max(t, 0))));
  const weights = Float32Array.from(batch.flatMap((e) => e.targets[0].map((t) => (t < 0 ? 0 : 1))));

  const ours = stepper(model, { optimizer: "adam", lr: c.lr });
  const tf = await loadTf();
  registerTfjsGradients();
  const tfm = makeTfjsModel(tf, model, c);
  // the same first loss from the same weights (float32 vs float64) shows the two compute the same thing
  const losses = { ours: ours.step(batch).loss, tfjs: tfm.step(tokens, targets, weights) };
  if (!(Math.abs(losses.ours - losses.tfjs) < 1e-4)) {
    throw new Error(`the tfjs model is not the same model: first loss ${losses.tfjs} vs ours ${losses.ours}`);
  }
  const t = interleave({ ours: () => ours.step(batch), tfjs: () => tfm.step(tokens, targets, weights) }, { rounds, budgetMs });
  tfm.dispose();
  const pick = (x) => ({ ms: x.ms, min: x.min, max: x.max, cpuMs: x.cpuMs, reps: x.reps });
  const result = { config: c, idle, ours: pick(t.ours), tfjs: pick(t.tfjs), losses, torch: torch ? runTorch({ rounds }) : null };
  result.ratios = { tfjsOverOurs: t.tfjs.ms / t.ours.ms };
  if (result.torch && result.torch.f64) {
    result.ratios.oursOverTorch64 = t.ours.ms / result.torch.f64.ms;
    result.ratios.oursOverTorch32 = t.ours.ms / result.torch.f32.ms;
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? dflt : Number(process.argv[i + 1]);
  };
  const r = await run({ rounds: arg("rounds", 5), force: process.argv.includes("--force") });
  const f = (x) => `${x.ms.toFixed(2)} ms (${x.min.toFixed(2)}–${x.max.toFixed(2)})`;
  console.log(`one Adam step, batch ${r.config.batchSize}, L ${r.config.length}, dModel ${r.config.dModel}, h ${r.config.numHeads}` +
    `  (load ${r.idle.load1.toFixed(2)}${r.idle.ok ? "" : ", NOT idle"})`);
  console.log(`  ours (float64)      ${f(r.ours)}   first loss ${r.losses.ours.toFixed(6)}`);
  console.log(`  tfjs (float32, cpu) ${f(r.tfjs)}   first loss ${r.losses.tfjs.toFixed(6)}   tfjs/ours = ${r.ratios.tfjsOverOurs.toFixed(2)}`);
  if (r.torch && r.torch.f64) {
    console.log(`  torch float64 1t    ${f(r.torch.f64)}   ours/torch64 = ${r.ratios.oursOverTorch64.toFixed(2)}`);
    console.log(`  torch float32 1t    ${f(r.torch.f32)}   ours/torch32 = ${r.ratios.oursOverTorch32.toFixed(2)}`);
  } else if (r.torch) console.log(`  torch: ${r.torch.error}`);
  console.log(JSON.stringify(r));
}
