/**
 * A small reader of the safetensors format (https://huggingface.co/docs/safetensors, "Format"):
 *
 *   bytes 0 … 7        N, the header length: an unsigned 64-bit little-endian integer
 *   bytes 8 … 8+N−1    the header: UTF-8 JSON, { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {…} },
 *                      possibly padded with trailing spaces
 *   bytes 8+N …        the data buffer: every tensor's bytes, little-endian, row-major (C order); data_offsets are
 *                      relative to the start of this buffer, and the tensors cover it without holes or overlaps
 *
 * Pure: give it the file's bytes (`fs.readFileSync(path)`); it never copies the data it does not decode.
 * Checked against files written by the `safetensors` Python library (test/minilm/safetensors.test.ts).
 *
 * Dependencies: halfToFloat (src/_half.ts, shared with the GGUF reader).
 */
import { halfToFloat } from "../_half";

/** The dtypes of the format, with their sizes in bytes. */
const DTYPE_BYTES = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
} as const;

/** A dtype name as the header spells it, e.g. "F32". */
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** One tensor of the header: where its bytes are in the file. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  /** e.g. [30522, 384]; [] is a scalar */ shape: number[];
  /** byte offset from the start of the FILE (header included) */ begin: number;
  /** bytes of this tensor: (number of elements) × (bytes of its dtype) */ byteLength: number;
}

/** A parsed safetensors file: the header, and the bytes to read tensors from. */
export interface SafetensorsFile {
  /** the "__metadata__" strings, {} when there are none */ metadata: Record<string, string>;
  /** tensors in header order */ entries: SafetensorsEntry[];
  /** the whole file */ bytes: Uint8Array;
  /** the file's name, for errors (parseSafetensors's `source`) */ source?: string;
}

const MAX_HEADER = 100_000_000; // the format's own limit
const _LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function _fail(source: string, msg: string): never {
  throw new Error(`${source}: ${msg}`);
}

/**
 * Parse the header of a safetensors file and check it against the format.
 *
 * Errors name the file (`source`), the tensor and the numbers: a header length past the end of the file,
 * JSON that does not parse, an unknown dtype, a shape whose size disagrees with data_offsets, holes or overlaps.
 *
 * @param bytes  the whole file, e.g. `fs.readFileSync("model.safetensors")`
 * @param source a name for error messages (default "safetensors")
 * @example (illustrative) parseSafetensors(fs.readFileSync("model.safetensors")).entries[0].name // returns "embeddings.position_ids"
 */
export function parseSafetensors(bytes: Uint8Array, source = "safetensors"): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) _fail(source, `expected the file's bytes (a Uint8Array or Buffer), got ${typeof bytes}`);
  if (bytes.byteLength < 8) _fail(source, `file has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true)); // header length N
  if (n > MAX_HEADER) _fail(source, `header length ${n} is over the format's limit of ${MAX_HEADER} bytes`);
  if (8 + n > bytes.byteLength) {
    _fail(source, `header length ${n} runs past the end of the file (${bytes.byteLength} bytes; header would end at ${8 + n})`);
  }
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  if (!text.startsWith("{")) _fail(source, `header does not start with "{" (got ${JSON.stringify(text.slice(0, 16))})`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text);
  } catch (e) {
    _fail(source, `header is not valid JSON: ${(e as Error).message}`);
  }
  const dataStart = 8 + n;
  const dataBytes = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  const spans: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") {
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") _fail(source, `__metadata__["${k}"] is ${typeof v}, but metadata values must be strings`);
        metadata[k] = v;
      }
      continue;
    }
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t.dtype !== "string" || !(t.dtype in DTYPE_BYTES)) {
      _fail(source, `tensor "${name}" has dtype ${JSON.stringify(t.dtype)}; known dtypes are ${Object.keys(DTYPE_BYTES).join(", ")}`);
    }
    const dtype = t.dtype as SafetensorsDtype;
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      _fail(source, `tensor "${name}" has shape ${JSON.stringify(t.shape)}; expected a list of non-negative integers`);
    }
    const shape = t.shape as number[];
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[1] < off[0]) {
      _fail(source, `tensor "${name}" has data_offsets ${JSON.stringify(off)}; expected [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [b, e] = off as number[];
    const count = shape.reduce((a, d) => a * d, 1);
    const byteLength = count * DTYPE_BYTES[dtype];
    if (e - b !== byteLength) {
      _fail(source, `tensor "${name}" (${dtype}, shape [${shape.join(", ")}]) needs ${byteLength} bytes but data_offsets [${b}, ${e}] hold ${e - b}`);
    }
    if (e > dataBytes) _fail(source, `tensor "${name}" ends at data byte ${e}, past the end of the data (${dataBytes} bytes)`);
    spans.push([b, e, name]);
    entries.push({ name, dtype, shape: shape.slice(), begin: dataStart + b, byteLength });
  }
  spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let pos = 0;
  for (const [b, e, name] of spans) {
    if (b < pos) _fail(source, `tensor "${name}" starts at data byte ${b}, inside the previous tensor (which ends at ${pos})`);
    if (b > pos) _fail(source, `data bytes ${pos} … ${b - 1} belong to no tensor (a hole before "${name}")`);
    pos = e;
  }
  if (pos !== dataBytes) _fail(source, `data bytes ${pos} … ${dataBytes - 1} belong to no tensor (the file has ${dataBytes - pos} extra bytes)`);
  return { metadata, entries, bytes, source };
}

/**
 * One tensor's values as a Float64Array in row-major order, whatever its dtype (float32 values are exact in
 * float64; BOOL gives 0/1; F16 and BF16 are decoded). Integers beyond ±2^53 throw rather than round.
 *
 * @param file a parsed file
 * @param name the tensor's name in the header
 * @return { dtype, shape, data } with data.length = the product of shape
 * @example (illustrative) readTensor(parseSafetensors(fs.readFileSync("model.safetensors")), "embeddings.LayerNorm.weight").shape // returns [384]
 */
export function readTensor(file: SafetensorsFile, name: string): { dtype: SafetensorsDtype; shape: number[]; data: Float64Array } {
  const entry = file.entries.find((e) => e.name === name);
  if (entry === undefined) {
    const names = file.entries.map((e) => e.name);
    const shown = names.length > 8 ? `${names.slice(0, 8).join(", ")}, … (${names.length} in all)` : names.join(", ");
    throw new Error(`${file.source ?? "safetensors"}: no tensor "${name}"; it has ${shown}`);
  }
  const { dtype, begin, byteLength } = entry;
  const size = DTYPE_BYTES[dtype];
  const count = byteLength / size;
  const view = new DataView(file.bytes.buffer, file.bytes.byteOffset + begin, byteLength);
  const out = new Float64Array(count);
  const abs = file.bytes.byteOffset + begin;
  if (dtype === "F32" && abs % 4 === 0) {
    out.set(new Float32Array(file.bytes.buffer, abs, count)); // aligned: one bulk widening copy (little-endian hosts)
    if (_LITTLE_ENDIAN) return { dtype, shape: entry.shape.slice(), data: out };
  }
  const big = (v: bigint, i: number): number => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new Error(`${file.source ?? "safetensors"}: tensor "${name}" element ${i} is ${v}, beyond ±2^53: it has no exact number value`);
    }
    return Number(v);
  };
  for (let i = 0; i < count; i++) {
    const o = i * size;
    switch (dtype) {
      case "F32": out[i] = view.getFloat32(o, true); break;
      case "F64": out[i] = view.getFloat64(o, true); break;
      case "F16": out[i] = halfToFloat(view.getUint16(o, true)); break;
      case "BF16": out[i] = new Float32Array(new Uint32Array([view.getUint16(o, true) << 16]).buffer)[0]; break;
      case "I8": out[i] = view.getInt8(o); break;
      case "U8": out[i] = view.getUint8(o); break;
      case "BOOL": out[i] = view.getUint8(o) === 0 ? 0 : 1; break;
      case "I16": out[i] = view.getInt16(o, true); break;
      case "U16": out[i] = view.getUint16(o, true); break;
      case "I32": out[i] = view.getInt32(o, true); break;
      case "U32": out[i] = view.getUint32(o, true); break;
      case "I64": out[i] = big(view.getBigInt64(o, true), i); break;
      case "U64": out[i] = big(view.getBigUint64(o, true), i); break;
      default: throw new Error(`${file.source ?? "safetensors"}: tensor "${name}" has dtype ${dtype}, which readTensor cannot decode (8-bit floats)`);
    }
  }
  return { dtype, shape: entry.shape.slice(), data: out };
}
