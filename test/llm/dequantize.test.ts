/**
 * The one half-float decoder (src/_half.ts) behind GGUF's F16 values and block scales and safetensors' F16 tensors,
 * checked against an independent decoding (the half's bits moved into a float32's bits) for all 65536 halves; and
 * dequantize's byte counts, which come from gguf.ts's one table of ggml block sizes.
 */
import { describe, expect, it } from "vitest";
import { _halfTable, halfToFloat } from "../../src/_half";
import { dequantize, halfToFloat as exported } from "../../src/llm/dequantize";
import { ggmlTypeSize } from "../../src/llm/gguf";
import { parseSafetensors, readTensor } from "../../src/minilm/safetensors";

/** A half as a float32, by moving its bits into a float32's (exponent rebiased 15 → 127, fraction shifted by 13). */
function viaFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return (sign ? -1 : 1) * frac * 2 ** -24; // subnormal halves are normal float32s: scale, exact
  const bits = sign | ((exp === 31 ? 255 : exp - 15 + 127) << 23) | (frac << 13);
  return new Float32Array(new Uint32Array([bits >>> 0]).buffer)[0];
}

describe("halfToFloat(h): one decoder for GGUF and safetensors", () => {
  it("equals the float32-bits decoding for all 65536 halves (NaN for NaN), and so does the table", () => {
    const table = _halfTable();
    let bad = -1;
    for (let h = 0; h < 65536 && bad < 0; h++) {
      const want = viaFloat32Bits(h);
      if (!Object.is(halfToFloat(h), want) || !Object.is(table[h], want)) bad = h;
    }
    expect(bad).toBe(-1);
    expect(exported).toBe(halfToFloat); // mha-lab/llm's export is the same function
  });

  it("safetensors' F16 tensors and dequantize's F16 read the same bytes to the same values", () => {
    const halves = Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7bff, 0xfc00, 0x3555);
    const data = new Uint8Array(halves.buffer);
    const json = Buffer.from(JSON.stringify({ x: { dtype: "F16", shape: [6], data_offsets: [0, 12] } }));
    const file = new Uint8Array(8 + json.length + 12);
    new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
    file.set(json, 8);
    file.set(data, 8 + json.length);
    const st = Array.from(readTensor(parseSafetensors(file), "x").data);
    expect(st).toEqual(Array.from(dequantize(data, "F16", 6)));
    expect(st).toEqual([1, -2, 2 ** -24, 65504, -Infinity, viaFloat32Bits(0x3555)]);
  });
});

describe("dequantize's byte counts come from ggmlTypeSize", () => {
  it.each(["F32", "F16", "Q4_1", "Q8_0"])("%s: one byte short is an error naming the bytes it needs", (type) => {
    const { block, bytes } = ggmlTypeSize(type);
    const count = 2 * block;
    expect(() => dequantize(new Uint8Array(2 * bytes - 1), type, count)).toThrow(`dequantize: ${count} values of ${type} need ${2 * bytes} bytes, got ${2 * bytes - 1}`);
    expect(dequantize(new Uint8Array(2 * bytes), type, count).length).toBe(count);
  });
  it("a count that is not whole blocks, and a type ggml knows but this reader does not", () => {
    expect(() => dequantize(new Uint8Array(40), "Q8_0", 31)).toThrow("dequantize: 31 values is not a whole number of Q8_0 blocks of 32");
    expect(() => dequantize(new Uint8Array(40), "Q5_0", 32)).toThrow("dequantize: type Q5_0 is not supported (this reader knows F32, F16, Q4_1, Q8_0)");
  });
});
