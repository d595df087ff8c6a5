/**
 * Module-private: the reader of the two committed MiniLM files written by scripts/export_minilm.py's _Writer
 * (the fixture in data/ and the golden values in golden/): a JSON index whose `tensors` give each tensor's byte
 * offset, shape and dtype ("f4" when absent), and one binary file of little-endian floats.
 *
 * Dependencies: fs, path.
 */
import * as fs from "fs";
import * as path from "path";

/** What both indexes hold. */
export interface _BinIndex {
  binFile: string;
  binBytes: number;
  tensors: Record<string, { offset: number; shape: number[]; dtype?: "f4" | "f8" }>;
}

/** A loaded index and its binary file, read once on first use. */
export interface _IndexedBin<I extends _BinIndex> {
  index(): I;
  /** one tensor as nested arrays of its stored shape (float32 widened exactly to float64) */
  tensor(name: string, hint?: (names: string[]) => string): any;
}

/**
 * @param dir the folder
 * @param jsonName the index file in it
 * @param what what it is, for errors ("MiniLM fixture")
 * @param regenerate the npm script that writes it
 */
export function _indexedBin<I extends _BinIndex>(dir: () => string, jsonName: string, what: string, regenerate: string): _IndexedBin<I> {
  let loaded: { index: I; bin: DataView } | null = null;
  const load = () => {
    if (loaded === null) {
      const file = path.join(dir(), jsonName);
      if (!fs.existsSync(file)) throw new Error(`${what} not found at ${file}; regenerate it with \`${regenerate}\``);
      const index = JSON.parse(fs.readFileSync(file, "utf8")) as I;
      const buf = fs.readFileSync(path.join(dir(), index.binFile));
      if (buf.byteLength !== index.binBytes) {
        throw new Error(`${what} ${index.binFile} has ${buf.byteLength} bytes but ${jsonName} says ${index.binBytes}`);
      }
      loaded = { index, bin: new DataView(buf.buffer, buf.byteOffset, buf.byteLength) };
    }
    return loaded;
  };
  return {
    index: () => load().index,
    tensor(name, hint) {
      const { index, bin } = load();
      const t = index.tensors[name];
      if (t === undefined) throw new Error(`${what} has no tensor "${name}"${hint ? hint(Object.keys(index.tensors)) : ""}`);
      const size = t.dtype === "f8" ? 8 : 4;
      let pos = t.offset;
      const read = (dims: number[]): any => {
        if (dims.length === 0) {
          const v = size === 8 ? bin.getFloat64(pos, true) : bin.getFloat32(pos, true);
          pos += size;
          return v;
        }
        const out = new Array(dims[0]);
        for (let i = 0; i < dims[0]; i++) out[i] = read(dims.slice(1));
        return out;
      };
      return read(t.shape);
    },
  };
}
