/**
 * The WebAssembly SIMD module (simd.wat) and what calls it: the matrix product behind kernels.ts's _matmulTransB
 * (products big enough to pay for copying in and out), the exp-and-normalise half of kernels.ts's _softmaxRow, and
 * the chat model's float32 products. Same numbers as the JavaScript loops and Math.exp, bit for bit
 * (test/math/fast/simd.test.ts), except the float32-accumulating _matmulF32Simd(…, true).
 *
 * The module's memory is a scratch area reused by every call, its operands copied in row by row. Rows are padded
 * with zeros to multiples of 4 (the register block); the padding's results are never copied out. When the memory
 * cannot grow (more than 1 GiB, or the system refuses), the callers fall back to the loops.
 *
 * Dependencies: _simd-bytes.ts (generated from simd.wat by npm run build:wasm).
 */
import { _SIMD_WASM_BASE64 } from "./_simd-bytes";

interface SimdExports {
  memory: WebAssembly.Memory;
  matmulTransB(a: number, lda: number, bt: number, ldb: number, c: number, ldc: number, n: number, k: number, m: number): void;
  matmulNN(a: number, lda: number, stepA: number, b: number, ldb: number, c: number, ldc: number, n: number, k: number, m: number): void;
  matmulF32W(x: number, ldx: number, w: number, ldw: number, y: number, ldy: number, n: number, k: number, m: number): void;
  matmulF32Acc(x: number, ldx: number, w: number, ldw: number, y: number, ldy: number, n: number, k: number, m: number): void;
  softmaxScale(p: number, count: number, sqrtDK: number, hasMask: number, mp: number, firstMasked: number, hasPad: number, pp: number): number;
  softmaxExp(p: number, count: number, max: number): void;
  expNonPositive(p: number, count: number): void;
  sumF32(p: number, count: number): number;
}

function _decode(base64: string): Uint8Array {
  if (typeof Buffer !== "undefined") return new Uint8Array(Buffer.from(base64, "base64"));
  const s = atob(base64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/** The instance, or null where WebAssembly SIMD is missing (then the JavaScript loops do every product). */
function _instantiate(): SimdExports | null {
  try {
    const bytes = _decode(_SIMD_WASM_BASE64);
    if (typeof WebAssembly === "undefined" || !WebAssembly.validate(bytes)) return null;
    return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as SimdExports;
  } catch {
    return null;
  }
}

const _wasm = _instantiate();
let _heap = _wasm ? new Float64Array(_wasm.memory.buffer) : new Float64Array(0);
let _enabled = _wasm != null;

/** True when products run on the WebAssembly kernel (available, and not switched off by _setSimd). */
export function _simdEnabled(): boolean {
  return _enabled;
}

/**
 * Switch the WebAssembly kernel off (false) or back on (true, where available): tests compare both paths.
 * @return the previous setting
 */
export function _setSimd(on: boolean): boolean {
  const was = _enabled;
  _enabled = on && _wasm != null;
  return was;
}

const _up4 = (x: number) => (x + 3) & ~3;

/** The largest scratch area a call may ask for, in float64 numbers (1 GiB; bigger calls run on the loops). */
const _MAX_NUMBERS = 2 ** 27;

/**
 * A Float64Array over the module's memory holding at least `count` numbers (grown when needed), or null when that
 * is over _MAX_NUMBERS or the memory cannot grow (a learner's memory limit, say): then the caller uses the loops.
 */
function _reserve(count: number): Float64Array | null {
  if (count > _MAX_NUMBERS) return null;
  const bytes = count * 8;
  const memory = _wasm!.memory;
  try {
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
  } catch {
    return null; // RangeError: the engine or the system refused
  }
  if (_heap.buffer !== memory.buffer) _heap = new Float64Array(memory.buffer);
  return _heap;
}

/** Where a product's A (np, k), Bᵀ (mp, k) and C (np, mp) sit in the module's memory, n and m padded to 4. */
interface _ProductLayout {
  heap: Float64Array;
  np: number;
  mp: number;
  A: number;
  BT: number;
  C: number;
}

/** The layout of an (n, k)·(k, m) product, with the memory reserved; null when it cannot be (see _reserve). */
function _productLayout(n: number, k: number, m: number): _ProductLayout | null {
  const np = _up4(n);
  const mp = _up4(m);
  const A = 0;
  const BT = A + np * k;
  const C = BT + mp * k;
  const heap = _reserve(C + np * mp);
  return heap === null ? null : { heap, np, mp, A, BT, C };
}

/** With A's n rows and Bᵀ's m rows copied in: zero their padding rows, and multiply into C. */
function _multiplyInModule(at: _ProductLayout, n: number, k: number, m: number): void {
  const { heap, np, mp, A, BT, C } = at;
  heap.fill(0, A + n * k, BT); // A's padding rows
  heap.fill(0, BT + m * k, C); // Bᵀ's padding rows (= columns of B)
  _wasm!.matmulTransB(A * 8, k, BT * 8, k, C * 8, mp, np, k, mp); // (np, mp)
}

/**
 * _matmulTransB on the WebAssembly kernel; the same arguments and the same numbers (see kernels.ts).
 *   C[i, j] (+)= Σ_p A[aOff + i·aStride + p] · BT[bOff + j·bStride + p]
 * @return false, having done nothing, when the module's memory cannot hold it (then the loops do it)
 */
export function _matmulSimd(
  a: Float64Array, aOff: number, aStride: number, n: number, k: number,
  bt: Float64Array, bOff: number, bStride: number, m: number,
  c: Float64Array, cOff: number, cStride: number, accumulate: boolean,
): boolean {
  const at = _productLayout(n, k, m);
  if (at === null) return false;
  const { heap, A, BT, C, mp } = at;
  _copyRows(a, aOff, aStride, heap, A, k, n, k); // (n, k)
  _copyRows(bt, bOff, bStride, heap, BT, k, m, k); // (m, k)
  _multiplyInModule(at, n, k, m); // (np, mp)
  _copyOut(heap, C, mp, c, cOff, cStride, n, m, accumulate); // (n, m)
  return true;
}

/**
 * C (+)= A·B on the WebAssembly kernel with B as stored, (k, m) row-major: simd.wat's matmulNN, the same sums as
 * _matmulSimd on Bᵀ, bit for bit (see kernels.ts _matmulNN). A as stored (aStep = 1) or transposed (aStride = 1).
 *   C[i, j] (+)= Σ_p A[aOff + i·aStride + p·aStep] · B[bOff + p·bStride + j]
 * @return false, having done nothing, when the module's memory cannot hold it (then the loops do it)
 */
export function _matmulSimdNN(
  a: Float64Array, aOff: number, aStride: number, n: number, k: number,
  b: Float64Array, bOff: number, bStride: number, m: number,
  c: Float64Array, cOff: number, cStride: number, accumulate: boolean, aStep: number = 1,
): boolean {
  const np = _up4(n);
  const mp = _up4(m);
  const [A, B] = [0, np * k];
  const C = B + k * mp;
  const heap = _reserve(C + np * mp);
  if (heap === null) return false;
  if (aStep === 1) {
    _copyRows(a, aOff, aStride, heap, A, k, n, k); // (n, k)
    heap.fill(0, A + n * k, B); // A's padding rows
  } else {
    _copyRows(a, aOff, aStep, heap, A, np, k, n); // Aᵀ (k, n) in rows of np
    if (np !== n) for (let p = 0; p < k; p++) heap.fill(0, A + p * np + n, A + (p + 1) * np); // A's padding rows, as columns here
  }
  _copyRows(b, bOff, bStride, heap, B, mp, k, m); // (k, m) in rows of mp
  if (mp !== m) for (let p = 0; p < k; p++) heap.fill(0, B + p * mp + m, B + (p + 1) * mp); // B's padding columns
  const [lda, stepA] = aStep === 1 ? [k, 1] : [1, np];
  _wasm!.matmulNN(A * 8, lda, stepA, B * 8, mp, C * 8, mp, np, k, mp); // (np, mp)
  _copyOut(heap, C, mp, c, cOff, cStride, n, m, accumulate); // (n, m)
  return true;
}

/** C's n × m entries from the module (rows mp apart) into c (rows cStride apart): written, or added when accumulating. */
function _copyOut(heap: Float64Array, C: number, mp: number, c: Float64Array, cOff: number, cStride: number, n: number, m: number, accumulate: boolean): void {
  if (!accumulate) return _copyRows(heap, C, mp, c, cOff, cStride, n, m);
  for (let i = 0; i < n; i++) for (let j = 0, src = C + i * mp, dst = cOff + i * cStride; j < m; j++) c[dst + j] += heap[src + j];
}

/**
 * Copy `rows` rows of `width` numbers from src (rows srcStride apart) to dst (rows dstStride apart). Contiguous
 * rows go in one set; long rows one set each; short rows (one head's dK = 8 columns, say) by a loop, as a
 * subarray per row costs more than its copy.
 */
function _copyRows(
  src: Float64Array, s0: number, srcStride: number, dst: Float64Array, d0: number, dstStride: number, rows: number, width: number,
): void {
  if (srcStride === width && dstStride === width) dst.set(src.subarray(s0, s0 + rows * width), d0);
  else if (width >= 64) for (let i = 0; i < rows; i++) dst.set(src.subarray(s0 + i * srcStride, s0 + i * srcStride + width), d0 + i * dstStride);
  else {
    for (let i = 0; i < rows; i++) {
      for (let j = 0, s = s0 + i * srcStride, d = d0 + i * dstStride; j < width; j++) dst[d + j] = src[s + j];
    }
  }
}

/**
 * C = A·B for mathjs's multiply on nested arrays: A's rows are copied straight into the module and C's rows
 * straight out of it (no flat copies on the way); the same numbers as _matmulSimd.
 * @param a (n, k) nested
 * @param bt (m, k) Bᵀ, row-major
 * @return (n, m) nested, or null when the module's memory cannot hold it
 */
export function _matmulNestedSimd(a: readonly (readonly number[])[], bt: Float64Array, n: number, k: number, m: number): number[][] | null {
  const at = _productLayout(n, k, m);
  if (at === null) return null;
  const { heap, A, BT, C, mp } = at;
  for (let i = 0; i < n; i++) {
    const row = a[i];
    for (let p = 0, o = A + i * k; p < k; p++) heap[o + p] = row[p];
  }
  heap.set(bt.subarray(0, m * k), BT);
  _multiplyInModule(at, n, k, m); // (np, mp)
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r: number[] = new Array(m);
    for (let j = 0, o = C + i * mp; j < m; j++) r[j] = heap[o + j];
    out[i] = r;
  }
  return out;
}

// ---- float32 weights resident in a module's memory (the chat model's decoding path) ----

/** Bytes after the weights of an _f32Weights memory where each call's X and Y rows are copied (8 MiB). */
const _F32_SCRATCH_BYTES = 2 ** 23;

/** An instance of the module whose memory holds float32 weights, and where its scratch area starts (bytes). */
interface _F32Home {
  exports: SimdExports;
  scratch: number;
}

/** The memories holding float32 weights, by their buffer (see _f32Weights). */
const _f32Homes = new WeakMap<ArrayBufferLike, _F32Home>();

/**
 * A Float32Array of `count` zeros for weights that stay put: inside the memory of a new instance of the module
 * (its own, grown once to the weights plus an 8 MiB scratch area, never grown again, so the array is never
 * detached), so _matmulF32Simd multiplies by them with no copy. Where WebAssembly SIMD is missing or the memory
 * cannot grow, a plain Float32Array (then the loops do the products; same numbers).
 * @param count how many float32 values
 * @return (count,) zeros
 * @example _f32Weights(6).length // returns 6
 */
export function _f32Weights(count: number): Float32Array {
  if (_wasm === null || !(count >= 0 && count <= 2 ** 29)) return new Float32Array(count);
  try {
    const exports = new WebAssembly.Instance(new WebAssembly.Module(_decode(_SIMD_WASM_BASE64))).exports as unknown as SimdExports;
    const scratch = Math.ceil((count * 4) / 8) * 8; // X and Y are float64: 8-byte aligned
    const bytes = scratch + _F32_SCRATCH_BYTES;
    const memory = exports.memory;
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    _f32Homes.set(memory.buffer, { exports, scratch });
    return new Float32Array(memory.buffer, 0, count);
  } catch {
    return new Float32Array(count); // RangeError: the engine or the system refused
  }
}

/**
 * Y = X·Wᵀ on the WebAssembly kernel for W in an _f32Weights memory: X's rows are copied into its scratch area
 * (as many rows at a time as fit), the kernel reads W where it lies.
 *   Y[i, j] = Σ_p X[i, p] · W[j, p]   (p = 0 … k−1 in order from 0, in float64: W's float32 values are exact)
 * @param x (n, k) float64, row-major
 * @param w (m, k) float32, row-major, a view into an _f32Weights array
 * @param y (n, m) float64, row-major, written
 * @param float32Sums false (default): the float64 sums above, bit for bit those of W stored as float64. true:
 *   the fast, inexact kernel matmulF32Acc: X rounded to float32, float32 products summed in four float32 lanes
 *   (lane l sums p ≡ l mod 4), (l0 + l1) + (l2 + l3); k must be a multiple of 4. About 1e-6 relative.
 * @return false, having done nothing, when W is not in such a memory, the kernel is off (_setSimd(false)), k is
 *   not a multiple of 4 with float32Sums, or one row of X and Y does not fit the scratch area: then the caller
 *   uses its loops
 * @example _matmulF32Simd(Float64Array.of(1, 2), 1, 2, Float32Array.of(1, 0, 0, 1, 1, 1), 3, new Float64Array(3)) // returns false  (a plain Float32Array: the caller's loops do it)
 * @example (illustrative) const w = _f32Weights(6); w.set([1, 0, 0, 1, 1, 1]); _matmulF32Simd(Float64Array.of(1, 2), 1, 2, w, 3, y) // y = [1, 2, 3], returns true
 */
export function _matmulF32Simd(
  x: Float64Array, n: number, k: number, w: Float32Array, m: number, y: Float64Array, float32Sums = false,
): boolean {
  const home = _enabled ? _f32Homes.get(w.buffer) : undefined;
  if (home === undefined || (float32Sums && k % 4 !== 0)) return false;
  const chunk = Math.floor(_F32_SCRATCH_BYTES / ((k + m) * 8)); // rows of X and Y per call
  if (chunk < 1) return false;
  const heap = new Float64Array(w.buffer, home.scratch, _F32_SCRATCH_BYTES / 8);
  const X = home.scratch;
  for (let i0 = 0; i0 < n; i0 += chunk) {
    const rows = Math.min(chunk, n - i0);
    const Y = X + rows * k * 8; // (rows, m) float64 after X's rows
    if (float32Sums) {
      new Float32Array(w.buffer, X, rows * k).set(x.subarray(i0 * k, (i0 + rows) * k)); // (rows, k) rounded to float32
      home.exports.matmulF32Acc(X, k, w.byteOffset, k, Y, m, rows, k, m); // (rows, m)
    } else {
      heap.set(x.subarray(i0 * k, (i0 + rows) * k), 0); // (rows, k)
      home.exports.matmulF32W(X, k, w.byteOffset, k, Y, m, rows, k, m); // (rows, m)
    }
    y.set(heap.subarray(rows * k, rows * k + rows * m), i0 * m);
  }
  return true;
}

/**
 * The streaming read of the memory-bandwidth probe: Σ of a Float32Array from _f32Weights (length a multiple of
 * 16), read once front to back by four f32x4 sums in the WebAssembly module, as the decoding kernel reads weights.
 * @param w (count,) in an _f32Weights memory
 * @return the sum's lane 0 (only so the read cannot be skipped), or null when w is not in such a memory
 * @example _sumF32Simd(new Float32Array(16)) // returns null  (not in an _f32Weights memory)
 */
export function _sumF32Simd(w: Float32Array): number | null {
  const home = _enabled ? _f32Homes.get(w.buffer) : undefined;
  if (home === undefined || w.length % 16 !== 0) return null;
  return home.exports.sumF32(w.byteOffset, w.length);
}

// ---- the softmax's exp (kernels.ts _softmaxRow) ----

/**
 * kernels.ts's _softmaxRow (same arguments, same numbers bit for bit) in the module: the row, its mask entries and
 * padding flags are copied in; softmaxScale computes u = s / √dK + m (−∞ where masked) and its max, softmaxExp
 * exp(u − max) (fdlibm's exp: Math.exp's bits), their sum in order and the division; the row is copied back.
 * @return false, having done nothing, when the module is off or its memory cannot hold the row (the caller's loops)
 * @example (illustrative) const a = Float64Array.of(2, 2, 9); _softmaxRowSimd(a, 0, 3, 2, null, 0, 2, null, 0) // a = [0.5, 0.5, 0], returns true
 */
export function _softmaxRowSimd(
  a: Float64Array, o: number, S: number, sqrtDK: number,
  mask: Float64Array | null, m0: number, firstMasked: number, pad: Uint8Array | null, p0: number,
): boolean {
  if (!_enabled) return false;
  const even = S + (S & 1); // an odd row gets one padding entry, masked by firstMasked ≤ S
  const heap = _reserve(2 * even + even / 8 + 1);
  if (heap === null) return false;
  heap.set(a.subarray(o, o + S), 0); // (S,) scores
  if (mask != null) heap.set(mask.subarray(m0, m0 + S), even); // (S,) mask entries
  if (pad != null) new Uint8Array(heap.buffer, 2 * even * 8, S).set(pad.subarray(p0, p0 + S)); // (S,) flags
  const max = _wasm!.softmaxScale(0, even, sqrtDK, mask != null ? 1 : 0, even * 8, Math.min(firstMasked, S), pad != null ? 1 : 0, 2 * even * 8);
  if (max === -Infinity) a.fill(0, o, o + S); // every key masked
  else {
    _wasm!.softmaxExp(0, even, max);
    a.set(heap.subarray(0, S), o);
  }
  return true;
}

/**
 * exp(x) of every entry by the module's fdlibm exp (for x ≤ 0, −Infinity or NaN): the test of its bits against Math.exp.
 * @param x (count,)
 * @return (count,) exp(x), or null when the module is off
 * @example Array.from(_expNonPositive(Float64Array.of(0, -Infinity)) ?? []) // returns [1, 0]
 */
export function _expNonPositive(x: Float64Array): Float64Array | null {
  const even = x.length + (x.length & 1);
  const heap = _enabled ? _reserve(even) : null;
  if (heap === null) return null;
  heap.set(x, 0);
  if (even !== x.length) heap[x.length] = 0; // an odd count's padding entry
  _wasm!.expNonPositive(0, even);
  return heap.slice(0, x.length);
}
