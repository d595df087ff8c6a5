import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { dequantize, halfToFloat } from "../../src/llm/dequantize";
import { readGgufHeader } from "../../src/llm/gguf";
import { findChatModelFile, hasChatModelFile } from "../../src/llm/files";

const FIX = path.join(__dirname, "fixtures");
const sample = fs.readFileSync(path.join(FIX, "quant-sample.gguf"));
const expected = JSON.parse(fs.readFileSync(path.join(FIX, "quant-sample.json"), "utf8")).tensors as Record<string, { type: string; shape: number[]; values: number[] }>;

describe("readGgufHeader on a GGUF written by gguf's GGUFWriter", () => {
  const h = readGgufHeader(sample, "quant-sample.gguf");
  it("reads the metadata of each value type", () => {
    expect(h.version).toBe(3);
    expect(h.metadata["general.architecture"]).toBe("llama");
    expect(h.metadata["general.name"]).toBe("mha-lab quantization sample");
    expect(h.metadata["mha_lab.sample_rows"]).toBe(6);
    expect((h.metadata["mha_lab.array"] as unknown[]).map(Number)).toEqual([1, 2, 3]);
  });
  it("lists every tensor with its ggml type and shape (row length first)", () => {
    expect(h.tensors.map((t) => [t.name, t.type, t.ne])).toEqual(
      Object.entries(expected).map(([name, e]) => [name, e.type, e.shape.slice().reverse()]),
    );
  });
});

describe("dequantize equals the gguf package's dequantize bit for bit", () => {
  const h = readGgufHeader(sample, "quant-sample.gguf");
  for (const t of h.tensors) {
    it(`${t.name} (${t.type}, ${t.ne.join(" × ")})`, () => {
      const got = dequantize(sample.subarray(t.fileOffset, t.fileOffset + t.byteLength), t.type, t.count);
      expect(Array.from(got)).toEqual(expected[t.name].values);
    });
  }
  it("into a Float32Array too (the values are float32)", () => {
    const t = h.tensors.find((x) => x.type === "Q4_1")!;
    const f64 = dequantize(sample.subarray(t.fileOffset), t.type, t.count);
    const f32 = dequantize(sample.subarray(t.fileOffset), t.type, t.count, new Float32Array(t.count));
    expect(Array.from(f32)).toEqual(Array.from(f64));
  });
});

describe("dequantize worked by hand", () => {
  it("Q4_1: x = d·q + m with value j in the low nibble of byte j and value j + 16 in its high nibble", () => {
    const b = new Uint8Array(20);
    b.set([0x00, 0x40], 0); // d = 2 (half 0x4000)
    b.set([0x00, 0xbc], 2); // m = −1 (half 0xbc00)
    b[4] = 0x53; // value 0: q = 3, value 16: q = 5
    const x = dequantize(b, "Q4_1", 32);
    expect([x[0], x[16], x[1]]).toEqual([2 * 3 - 1, 2 * 5 - 1, -1]);
  });
  it("Q8_0: x = d·q with signed bytes", () => {
    const b = new Uint8Array(34);
    b.set([0x00, 0x38], 0); // d = 0.5
    b[2] = 0xfe; // −2
    b[3] = 7;
    const x = dequantize(b, "Q8_0", 32);
    expect([x[0], x[1], x[2]]).toEqual([-1, 3.5, 0]);
  });
  it("halfToFloat: normal, subnormal, signs, infinity", () => {
    expect([halfToFloat(0x3c00), halfToFloat(0xc000), halfToFloat(0x0001), halfToFloat(0x7bff), halfToFloat(0x7c00)]).toEqual([1, -2, 2 ** -24, 65504, Infinity]);
  });
  it("errors name the type and the sizes", () => {
    expect(() => dequantize(new Uint8Array(10), "Q4_1", 32)).toThrow("dequantize: 32 values of Q4_1 need 20 bytes, got 10");
    expect(() => dequantize(new Uint8Array(40), "Q4_1", 33)).toThrow("dequantize: 33 values is not a whole number of Q4_1 blocks of 32");
    expect(() => dequantize(new Uint8Array(40), "Q4_K", 256)).toThrow("dequantize: type Q4_K is not supported (this reader knows F32, F16, Q4_1, Q8_0)");
  });
});

/** The sample with bytes changed: u32 / u64 written at a byte position. */
function patched(edit: (v: DataView, b: Uint8Array) => void, length = sample.byteLength): Uint8Array {
  const b = new Uint8Array(sample.subarray(0, length));
  edit(new DataView(b.buffer), b);
  return b;
}
const h0 = readGgufHeader(sample);
/** byte position of the first tensor entry's fields, found by its name */
const firstName = h0.tensors[0].name;
const namePos = sample.indexOf(Buffer.from(firstName)) ; // name bytes; the length u64 sits before it
const afterName = namePos + firstName.length;

describe("malformed files are clear errors before any large allocation", () => {
  const cases: [string, Uint8Array, string][] = [
    ["not GGUF", patched((v) => v.setUint32(0, 0x46554746, true)), 'the GGUF file is not a GGUF file: it starts with "FGUF", not "GGUF"'],
    ["an unknown version", patched((v) => v.setUint32(4, 9, true)), "the GGUF file is GGUF version 9; this reader knows versions 2 and 3"],
    ["a header cut short", patched(() => {}, 20), "the GGUF file is truncated: reading the metadata count needs 8 bytes at byte 16, but the file has 20 bytes"],
    ["a huge tensor count", patched((v) => v.setBigUint64(8, 10n ** 12n, true)), "the GGUF file is truncated: reading 1000000000000 tensor entries needs 32000000000000 bytes"],
    ["a count beyond 2^53", patched((v) => v.setBigUint64(16, 2n ** 63n, true)), "the GGUF file: the metadata count is 9223372036854775808, larger than any file (corrupt header)"],
    ["a huge string length", patched((v) => v.setBigUint64(24, 2n ** 40n, true)), "the GGUF file is truncated: reading metadata key 0 needs 1099511627776 bytes at byte 32"],
    ["an unknown tensor type", patched((v) => v.setUint32(afterName + 4 + 8 * h0.tensors[0].ne.length, 99, true)), `the GGUF file: tensor ${firstName} has unknown ggml type 99`],
    ["5 dimensions", patched((v) => v.setUint32(afterName, 5, true)), `the GGUF file: tensor ${firstName} has 5 dimensions (GGUF allows 1 … 4)`],
    ["a huge dimension", patched((v) => v.setBigUint64(afterName + 4, 2n ** 50n, true)), `the GGUF file: tensor ${firstName} (Q4_1, 1125899906842624 × 2) needs bytes 480 … 1407374883553760 but the file has 8640 bytes`],
    ["an offset out of range", patched((v) => v.setBigUint64(afterName + 4 + 8 * h0.tensors[0].ne.length + 4, 10n ** 9n, true)), `the GGUF file: tensor ${firstName} (Q4_1, 576 × 2) needs bytes`],
    ["the data cut off", patched(() => {}, sample.byteLength - 100), `(truncated, or its offset`],
  ];
  for (const [what, bytes, text] of cases) {
    it(`${what}: ${text.slice(0, 60)}…`, () => {
      expect(() => readGgufHeader(bytes)).toThrow(text);
    });
  }
});

describe("the real file (tensor by tensor against gguf's dequantize)", () => {
  const skip = !hasChatModelFile();
  it.skipIf(skip)("every one of the 272 tensors: type, shape, sum, sum of squares, first values", () => {
    const file = fs.readFileSync(findChatModelFile());
    const h = readGgufHeader(file);
    const want = JSON.parse(fs.readFileSync(path.join(FIX, "tensors.json"), "utf8")).tensors;
    expect(h.tensors.length).toBe(272);
    for (const t of h.tensors) {
      const w = want[t.name];
      expect([t.type, t.ne], t.name).toEqual([w.type, w.ne]);
      const x = dequantize(file.subarray(t.fileOffset, t.fileOffset + t.byteLength), t.type, t.count);
      let sum = 0, sq = 0;
      for (let i = 0; i < x.length; i++) { sum += x[i]; sq += x[i] * x[i]; }
      expect(Array.from(x.subarray(0, 8)), t.name).toEqual(w.first);
      // numpy sums pairwise, this loop in order: the sums agree to rounding (a wrong value would move them far more)
      expect(Math.abs(sum - w.sum), t.name).toBeLessThan(1e-9 * w.sumSquares);
      expect(Math.abs(sq - w.sumSquares) / w.sumSquares, t.name).toBeLessThan(1e-9);
    }
  }, 60_000);
});
