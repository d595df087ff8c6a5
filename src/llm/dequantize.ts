/**
 * Dequantization of the GGUF tensor types the chat model uses, as ggml (and the `gguf` Python package's
 * `dequantize`, which transformers calls) defines them, in float32 arithmetic:
 *   F32   one float32 per value
 *   F16   one IEEE half per value
 *   Q4_1  blocks of 32 values in 20 bytes: d (half), m (half), 16 bytes of 4-bit q; byte j holds value j in its low
 *         nibble and value j + 16 in its high nibble.     x = d·q + m   (q ∈ 0 … 15)
 *   Q8_0  blocks of 32 values in 34 bytes: d (half), 32 signed bytes q.      x = d·q   (q ∈ −128 … 127)
 * d·q is exact in float32 (an 11-bit half times a small integer); the sum d·q + m is rounded to float32
 * (Math.fround), as numpy does. So every value equals gguf's bit for bit.
 *
 * Dependencies: halfToFloat and its table (src/_half.ts, shared with the safetensors reader), ggmlTypeSize (gguf.ts).
 */
import { _halfTable, halfToFloat } from "../_half";
import { ggmlTypeSize } from "./gguf";

export { halfToFloat } from "../_half";

/** The types this reader decodes. */
const _SUPPORTED = ["F32", "F16", "Q4_1", "Q8_0"];

/**
 * Values of a tensor from its raw bytes.
 * @param bytes the tensor's bytes (GgufTensorInfo.byteLength of them)
 * @param type "F32", "F16", "Q4_1" or "Q8_0"
 * @param count number of values (a multiple of the block size)
 * @param out where to write (default: a new Float64Array(count)); a Float32Array holds them exactly too
 * @return out
 * @example dequantize(new Uint8Array([0x00, 0x3c, 0x00, 0x00, 0x21, ...new Array(15).fill(0)]), "Q4_1", 32)[0] // returns 1  (d = 1, m = 0, q = 1)
 */
export function dequantize<T extends Float64Array | Float32Array = Float64Array>(bytes: Uint8Array, type: string, count: number, out?: T): T {
  const o = (out ?? new Float64Array(count)) as T;
  if (o.length < count) throw new Error(`dequantize: out holds ${o.length} values but the tensor has ${count}`);
  if (!_SUPPORTED.includes(type)) throw new Error(`dequantize: type ${type} is not supported (this reader knows ${_SUPPORTED.join(", ")})`);
  const { block, bytes: blockBytes } = ggmlTypeSize(type); // the one table of ggml's block sizes (gguf.ts)
  if (count % block !== 0) throw new Error(`dequantize: ${count} values is not a whole number of ${type} blocks of ${block}`);
  const need = (count / block) * blockBytes;
  if (bytes.byteLength < need) throw new Error(`dequantize: ${count} values of ${type} need ${need} bytes, got ${bytes.byteLength}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === "F32") {
    for (let i = 0; i < count; i++) o[i] = v.getFloat32(4 * i, true);
  } else if (type === "F16") {
    for (let i = 0; i < count; i++) o[i] = halfToFloat(v.getUint16(2 * i, true));
  } else if (type === "Q4_1") {
    const half = _halfTable();
    const level = new Float64Array(16); // the block's 16 possible values d·q + m, rounded to float32
    for (let b = 0; b < count / 32; b++) {
      const p = 20 * b;
      const d = half[bytes[p] | (bytes[p + 1] << 8)];
      const m = half[bytes[p + 2] | (bytes[p + 3] << 8)];
      for (let q = 0; q < 16; q++) level[q] = Math.fround(d * q + m);
      for (let j = 0; j < 16; j++) {
        const q = bytes[p + 4 + j];
        o[32 * b + j] = level[q & 0x0f];
        o[32 * b + j + 16] = level[q >> 4];
      }
    }
  } else if (type === "Q8_0") {
    const half = _halfTable();
    const signed = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let b = 0; b < count / 32; b++) {
      const p = 34 * b;
      const d = half[bytes[p] | (bytes[p + 1] << 8)];
      for (let j = 0; j < 32; j++) o[32 * b + j] = d * signed[p + 2 + j];
    }
  }
  return o;
}
