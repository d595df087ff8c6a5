/**
 * The chat model's linear step with W as PyTorch and GGUF store it (dOut, dIn):  y = x·Wᵀ.
 * W is float64 (the tiny test models) or float32 (the loaded model: every dequantized weight is a float32
 * exactly, so storing it as one loses nothing and halves the bytes a token reads). Either way each entry sums
 * p = 0 … dIn − 1 in order from 0 in float64 with a multiply then an add, so float32-stored weights give the very
 * numbers the same weights stored as float64 give (test/llm/linear.test.ts checks it bit for bit).
 * The one exception is asked for by name: `float32Sums` (the chat model's decoding, prefill and next) sums in
 * float32 lanes on the WebAssembly kernel, about 1e-6 relative, 2–3× faster; see _matmulF32Simd.
 *
 * Dependencies: _matmulTransB (src/math/fast/kernels), _matmulF32Simd (src/math/fast/simd).
 */
import { _matmulTransB } from "../math/fast/kernels";
import { _matmulF32Simd } from "../math/fast/simd";

/** A weight matrix, row-major (dOut, dIn): float64, or float32 (exact values, half the bytes). */
export type WeightArray = Float64Array | Float32Array;

/**
 * A linear step with W as PyTorch and GGUF store it (dOut, dIn):  y = x·Wᵀ.
 * @param x (n, dIn)
 * @param w (dOut, dIn), Float64Array or Float32Array
 * @param float32Sums true: for float32 W in the kernel's memory, x rounded to float32 and float32 sums (fast,
 *   about 1e-6 relative: the decoding path); anywhere else, or false (default), the float64 sums above
 * @return (n, dOut)
 * @example Array.from(linearT(Float64Array.of(1, 2), Float64Array.of(1, 0, 0, 1, 1, 1), 1, 2, 3)) // returns [1, 2, 3]
 * @example Array.from(linearT(Float64Array.of(1, 2), Float32Array.of(1, 0, 0, 1, 1, 1), 1, 2, 3)) // returns [1, 2, 3]
 */
export function linearT(x: Float64Array, w: WeightArray, n: number, dIn: number, dOut: number, float32Sums = false): Float64Array {
  const y = new Float64Array(n * dOut); // (n, dOut)
  if (w instanceof Float32Array) {
    // float32 weights in the WebAssembly module's memory: the kernel reads them where they lie (8 rows of W per
    // pass, every row of x over them); elsewhere (no SIMD, or a plain Float32Array) the loops, same order
    if (float32Sums && _matmulF32Simd(x, n, dIn, w, dOut, y, true)) return y; // (n, dOut), float32 sums
    if (!_matmulF32Simd(x, n, dIn, w, dOut, y)) _linearF32Loops(x, w, n, dIn, dOut, y);
  } else if (n === 1) {
    // one row (decoding a token): y = W·x, the kernel's 3-row blocks share each x load (2× the 1-row loop here);
    // either way each entry sums p = 0 … dIn − 1 in order, so the numbers are the same
    _matmulTransB(w, 0, dIn, dOut, dIn, x, 0, dIn, 1, y, 0, 1, false);
  } else _matmulTransB(x, 0, dIn, n, dIn, w, 0, dIn, dOut, y, 0, dOut, false);
  return y;
}

/**
 * y = x·Wᵀ for float32 W in plain JavaScript: the WebAssembly kernel's fallback, summing in its order.
 *   y[i, j] = Σ_p x[i, p] · W[j, p]   (p = 0 … dIn − 1 from 0, float64)
 * @param x (n, dIn)
 * @param w (dOut, dIn) float32
 * @param y (n, dOut), written
 * @example (illustrative) const y = new Float64Array(3); _linearF32Loops(Float64Array.of(1, 2), Float32Array.of(1, 0, 0, 1, 1, 1), 1, 2, 3, y) // y = [1, 2, 3]
 */
export function _linearF32Loops(x: Float64Array, w: Float32Array, n: number, dIn: number, dOut: number, y: Float64Array): void {
  for (let j = 0; j < dOut; j++) {
    const wj = j * dIn;
    for (let i = 0; i < n; i++) {
      const xi = i * dIn;
      let s = 0;
      for (let p = 0; p < dIn; p++) s += x[xi + p] * w[wj + p];
      y[i * dOut + j] = s;
    }
  }
}
