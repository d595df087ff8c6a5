/**
 * A small reader of GGUF, the one-file model format of llama.cpp (version 2 and 3): the header, the metadata
 * key/values and the tensor table. Every count and size the file claims is checked against the bytes that are
 * really there before anything is allocated, so a truncated or corrupt file is a clear error, never a huge array.
 *
 * Layout (little-endian; https://github.com/ggml-org/ggml/blob/master/docs/gguf.md):
 *   "GGUF" · version u32 · tensor count u64 · metadata count u64
 *   metadata: key (string) · value type u32 · value       string = length u64 · UTF-8 bytes
 *   tensors:  name (string) · n_dims u32 · ne[n_dims] u64 · ggml type u32 · offset u64 (from the data section)
 *   padding to `general.alignment` (default 32) · the data section
 * ne[0] is the length of a row (the fastest index): a weight of ne = [576, 1536] is 1536 rows of 576.
 *
 * Dependencies: none.
 */

/** A metadata value. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** One tensor of the table. */
export interface GgufTensorInfo {
  /** e.g. "blk.0.attn_q.weight" */ name: string;
  /** ggml's dims, row length first */ ne: number[];
  /** ggml type name ("F32", "Q4_1", "Q8_0", …) */ type: string;
  /** where its bytes start in the file */ fileOffset: number;
  /** how many bytes it takes */ byteLength: number;
  /** number of values (product of ne) */ count: number;
}

/** A parsed header. */
export interface GgufHeader {
  version: number;
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorInfo[];
  /** where the data section starts */ dataOffset: number;
}

/** ggml's tensor types: [id, name, values per block, bytes per block]. */
const GGML_TYPES: [number, string, number, number][] = [
  [0, "F32", 1, 4], [1, "F16", 1, 2], [2, "Q4_0", 32, 18], [3, "Q4_1", 32, 20], [6, "Q5_0", 32, 22],
  [7, "Q5_1", 32, 24], [8, "Q8_0", 32, 34], [9, "Q8_1", 32, 36], [10, "Q2_K", 256, 84], [11, "Q3_K", 256, 110],
  [12, "Q4_K", 256, 144], [13, "Q5_K", 256, 176], [14, "Q6_K", 256, 210], [15, "Q8_K", 256, 292],
  [24, "I8", 1, 1], [25, "I16", 1, 2], [26, "I32", 1, 4], [27, "I64", 1, 8], [28, "F64", 1, 8], [30, "BF16", 1, 2],
];
const TYPE_BY_ID = new Map(GGML_TYPES.map(([id, name, block, bytes]) => [id, { name, block, bytes }]));

/** Values per block and bytes per block of a ggml type name. */
export function ggmlTypeSize(type: string): { block: number; bytes: number } {
  const t = GGML_TYPES.find(([, name]) => name === type);
  if (!t) throw new Error(`unknown ggml type ${type}`);
  return { block: t[2], bytes: t[3] };
}

/** Reads little-endian values from a byte array, failing with the file's name and what was being read. */
class _Cursor {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array, private readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, reading: string): void {
    if (n > this.bytes.byteLength - this.pos) {
      throw new Error(`${this.what} is truncated: reading ${reading} needs ${n} bytes at byte ${this.pos}, but the file has ${this.bytes.byteLength} bytes`);
    }
  }
  u32(reading: string): number {
    this.need(4, reading);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** a u64 that must fit a safe JavaScript integer (counts, sizes, offsets) */
  u64(reading: string): number {
    this.need(8, reading);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${this.what}: ${reading} is ${v}, larger than any file (corrupt header)`);
    return Number(v);
  }
  string(reading: string): string {
    const n = this.u64(`the length of ${reading}`);
    this.need(n, reading);
    const s = new TextDecoder("utf-8", { fatal: false }).decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  /** One metadata value of GGUF value type `type`. */
  value(type: number, reading: string): GgufValue {
    const v = this.view;
    const fixed: Record<number, [number, () => GgufValue]> = {
      0: [1, () => v.getUint8(this.pos)], 1: [1, () => v.getInt8(this.pos)], 2: [2, () => v.getUint16(this.pos, true)],
      3: [2, () => v.getInt16(this.pos, true)], 4: [4, () => v.getUint32(this.pos, true)], 5: [4, () => v.getInt32(this.pos, true)],
      6: [4, () => v.getFloat32(this.pos, true)], 7: [1, () => v.getUint8(this.pos) !== 0], 10: [8, () => v.getBigUint64(this.pos, true)],
      11: [8, () => v.getBigInt64(this.pos, true)], 12: [8, () => v.getFloat64(this.pos, true)],
    };
    if (type === 8) return this.string(reading);
    if (type === 9) {
      const itemType = this.u32(`the item type of ${reading}`);
      const n = this.u64(`the length of ${reading}`);
      const least = itemType === 8 ? 8 : fixed[itemType]?.[0] ?? 1; // bytes per item at least: check before allocating
      this.need(n * least, `${n} items of ${reading}`);
      const out: GgufValue[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = this.value(itemType, `${reading}[${i}]`);
      return out;
    }
    const f = fixed[type];
    if (!f) throw new Error(`${this.what}: ${reading} has unknown value type ${type} (GGUF knows 0 … 12)`);
    this.need(f[0], reading);
    const out = f[1]();
    this.pos += f[0];
    return out;
  }
}

/**
 * Parse a GGUF file's header, metadata and tensor table, and check that every tensor lies inside the file.
 * @param bytes the whole file (the data section must be there: tensors are checked against its end)
 * @param what how errors name the file (its path)
 * @return { version, metadata, tensors, dataOffset }
 * @example (illustrative) readGgufHeader(fs.readFileSync(file)).metadata["general.architecture"] // returns "llama"
 */
export function readGgufHeader(bytes: Uint8Array, what = "the GGUF file"): GgufHeader {
  const c = new _Cursor(bytes, what);
  c.need(4, "the magic number");
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== "GGUF") throw new Error(`${what} is not a GGUF file: it starts with ${JSON.stringify(magic)}, not "GGUF"`);
  c.pos = 4;
  const version = c.u32("the version");
  if (version !== 2 && version !== 3) throw new Error(`${what} is GGUF version ${version}; this reader knows versions 2 and 3`);
  const tensorCount = c.u64("the tensor count");
  const kvCount = c.u64("the metadata count");
  // the least bytes each entry takes (an empty key and a u8 value; a name, 1 dim, type, offset): checked first
  c.need(kvCount * 13, `${kvCount} metadata entries`);
  const metadata: Record<string, GgufValue> = {};
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key ${i}`);
    metadata[key] = c.value(c.u32(`the value type of ${key}`), key);
  }
  c.need(tensorCount * 32, `${tensorCount} tensor entries`);
  const raw: { name: string; ne: number[]; type: string; offset: number; count: number; byteLength: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`the name of tensor ${i}`);
    const nDims = c.u32(`the dims of ${name}`);
    if (nDims < 1 || nDims > 4) throw new Error(`${what}: tensor ${name} has ${nDims} dimensions (GGUF allows 1 … 4)`);
    const ne: number[] = [];
    for (let d = 0; d < nDims; d++) ne.push(c.u64(`dimension ${d} of ${name}`));
    const typeId = c.u32(`the type of ${name}`);
    const t = TYPE_BY_ID.get(typeId);
    if (!t) throw new Error(`${what}: tensor ${name} has unknown ggml type ${typeId}`);
    const offset = c.u64(`the offset of ${name}`);
    const count = ne.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(count)) throw new Error(`${what}: tensor ${name} claims ${ne.join(" × ")} values, too many`);
    if (ne[0] % t.block !== 0) throw new Error(`${what}: tensor ${name} has rows of ${ne[0]} values, not a multiple of ${t.name}'s block of ${t.block}`);
    raw.push({ name, ne, type: t.name, offset, count, byteLength: (count / t.block) * t.bytes });
  }
  const align = metadata["general.alignment"] ?? 32;
  if (typeof align !== "number" || !Number.isInteger(align) || align <= 0) throw new Error(`${what}: general.alignment is ${String(align)}, not a positive integer`);
  const dataOffset = Math.ceil(c.pos / align) * align;
  const tensors = raw.map(({ name, ne, type, offset, count, byteLength }) => {
    const fileOffset = dataOffset + offset;
    if (fileOffset + byteLength > bytes.byteLength) {
      throw new Error(
        `${what}: tensor ${name} (${type}, ${ne.join(" × ")}) needs bytes ${fileOffset} … ${fileOffset + byteLength} ` +
          `but the file has ${bytes.byteLength} bytes (truncated, or its offset ${offset} is out of range)`,
      );
    }
    return { name, ne, type, fileOffset, byteLength, count };
  });
  return { version, metadata, tensors, dataOffset };
}
