/**
 * Module-private: the kernels MultiHeadAttention.forward can run on, by name. The readable steps are the
 * layer's own ("readable"); another path registers itself when it is loaded ("fast", by mha-lab/fast's
 * forward.ts), as a tfjs backend registers its kernels. So the arrow runs one way: the fast path imports the
 * math, and the math never imports the fast path.
 *
 * Dependencies: none (types only).
 */
import type { ForwardInputs } from "./_forward-inputs";
import type { LayerSizes } from "./_validate";
import type { AttentionTrace } from "./trace";
import type { Matrix } from "./types";

/** A forward kernel: the checked layer, query and inputs in, the trace out. */
export type ForwardKernel = (layer: LayerSizes, query: Matrix, inputs: ForwardInputs) => AttentionTrace;

const _kernels = new Map<string, ForwardKernel>();

/**
 * Make `kernel` a name forward's `kernel` option accepts.
 * @example (illustrative) _registerForwardKernel("fast", _fastForwardChecked) // returns undefined
 */
export function _registerForwardKernel(name: string, kernel: ForwardKernel): void {
  _kernels.set(name, kernel);
}

/**
 * The kernel registered under `name`, or an error saying how to load it.
 * @example _forwardKernel("gpu") // throws "forward's kernel \"gpu\" is not loaded"
 */
export function _forwardKernel(name: string): ForwardKernel {
  const k = _kernels.get(name);
  if (k === undefined) {
    throw new Error(`forward's kernel ${JSON.stringify(name)} is not loaded: import it first ` +
      `(import { fastForward } from "mha-lab/fast" loads "fast"), or call fastForward(mha, …) itself`);
  }
  return k;
}
