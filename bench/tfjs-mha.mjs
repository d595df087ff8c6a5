// The benchmark's JavaScript peer: the same multi-head attention written with tfjs ops
// (@tensorflow/tfjs-core + @tensorflow/tfjs-backend-cpu: pure JS, float32, single thread).
// Paper orientation, like mha-lab: Q = X·wQ + bQ, wQ is (dModel, dModel), head i = columns i·dK … (i+1)·dK − 1.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Load tfjs-core with the CPU backend, silencing its "install tfjs-node" banner. */
export async function loadTf() {
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    const tf = require("@tensorflow/tfjs-core");
    require("@tensorflow/tfjs-backend-cpu");
    await tf.setBackend("cpu");
    await tf.ready();
    tf.tensor([1]).dataSync(); // the banner is printed on first use
    return tf;
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

/**
 * Build a forward function over float32 copies of mha-lab's parameters.
 * @param tf the loaded tfjs-core
 * @param params MhaParams (nested arrays, paper orientation)
 * @param numHeads h
 * @returns (x: tf.Tensor2D (n, dModel)) => { output: Float32Array (n·dModel), weights: Float32Array (h·n·n) }
 */
export function makeTfjsMha(tf, params, numHeads) {
  const wQ = tf.tensor2d(params.wQ), wK = tf.tensor2d(params.wK), wV = tf.tensor2d(params.wV), wO = tf.tensor2d(params.wO);
  const zeros = (w) => tf.zeros([w.shape[1]]);
  const bQ = params.bQ ? tf.tensor1d(params.bQ) : zeros(wQ);
  const bK = params.bK ? tf.tensor1d(params.bK) : zeros(wK);
  const bV = params.bV ? tf.tensor1d(params.bV) : zeros(wV);
  const bO = params.bO ? tf.tensor1d(params.bO) : zeros(wO);
  const dModel = wQ.shape[1];
  const dK = dModel / numHeads;
  const split = (t, n) => tf.transpose(tf.reshape(t, [n, numHeads, dK]), [1, 0, 2]); // (h, n, dK)
  return function forward(x) {
    return tf.tidy(() => {
      const n = x.shape[0];
      const q = split(tf.add(tf.matMul(x, wQ), bQ), n); // (h, L, dK)
      const k = split(tf.add(tf.matMul(x, wK), bK), n); // (h, S, dK)
      const v = split(tf.add(tf.matMul(x, wV), bV), n); // (h, S, dV)
      const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dK)); // (h, L, S)
      const weights = tf.softmax(scores); // (h, L, S)
      const heads = tf.matMul(weights, v); // (h, L, dV)
      const concat = tf.reshape(tf.transpose(heads, [1, 0, 2]), [n, dModel]); // (L, h·dV)
      const output = tf.add(tf.matMul(concat, wO), bO); // (L, dModel)
      return { output: output.dataSync(), weights: weights.dataSync() };
    });
  };
}
