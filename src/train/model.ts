/**
 * The course's tiny model: token embedding + positions → one MultiHeadAttention layer (optional residual)
 * → an optional position-wise feed-forward block (with the same residual) → a linear read-out → softmax over the
 * classes of each output part.
 *
 * Dependencies: MultiHeadAttention, linear, gelu (src/blocks), glorotUniform, mulberry32, sinusoidalPositions.
 */
import { gelu } from "../blocks/activation";
import { _describe } from "../math/_describe";
import { _checkedLater, _isBoolean, _isOneOf, _isSafeInteger } from "../math/_validate";
import { linear } from "../math/linear";
import { MultiHeadAttention } from "../math/multi-head";
import { causalMask } from "../math/masks";
import { softmaxRows } from "../math/softmax";
import { glorotUniform, mulberry32 } from "../math/random";
import type { AttentionTrace, Matrix, Vector } from "../math/trace";
import { _checkBytes, _checkOptions } from "./_check";
import type { _Sizes } from "./_check";
import { sinusoidalPositions } from "./positions";
import type { Task } from "./tasks";

/** Options of TinyModel.random. Sizes not given are taken from `task` when one is passed. */
export interface TinyModelOptions {
  /** fills vocab, length, numClasses and parts from the task */ task?: Task;
  /** input tokens 0 … vocab − 1 */ vocab?: number;
  /** sequence length L */ length?: number;
  dModel: number;
  numHeads: number;
  /** classes per output part (default vocab) */ numClasses?: number;
  /** number of output parts (default 1; the neighbours task has 2) */ parts?: number;
  /** names of the parts (default the task's, else "part 1" …) */ partNames?: string[];
  /** "learned" (trainable, default) or "sinusoidal" (fixed) */ positions?: "learned" | "sinusoidal";
  /** add the layer's input to its output (default true) */ residual?: boolean;
  /** position i sees only positions 0 … i (default false) */ causal?: boolean;
  /**
   * inner width of a feed-forward block after the attention, FFN(h) = GELU(h·W₁ + b₁)·W₂ + b₂, added to its input
   * when residual is on; 0 (default) for none, as before
   */
  feedForward?: number;
  /** default 0 */ seed?: number;
}

/** The resolved sizes and switches of a TinyModel. */
export interface TinyModelConfig extends _Sizes {
  /** one name per part, e.g. ["left", "right"] */ partNames: string[];
  positions: "learned" | "sinusoidal";
  residual: boolean;
  causal: boolean;
  /** the feed-forward block's inner width, 0 for none (a config without the key has none) */ feedForward?: number;
}

/** The model's own parameters besides the attention layer's (paper orientation: x·W). */
export interface TinyModelParams {
  /** (vocab, dModel) row t is token t's vector */ embedding: Matrix;
  /** (length, dModel) learned, or the fixed sinusoids */ positions: Matrix;
  /** (dModel, parts·numClasses) part p owns columns p·numClasses … (p+1)·numClasses − 1 */ readout: Matrix;
  /** (parts·numClasses,) */ readoutBias: Vector;
  /** the feed-forward block (config.feedForward > 0), else null or absent */ ffn?: TinyFeedForwardParams | null;
}

/** The feed-forward block of a TinyModel, paper orientation: FFN(h) = GELU(h·W₁ + b₁)·W₂ + b₂. */
export interface TinyFeedForwardParams {
  /** (dModel, hidden) */ w1: Matrix;
  /** (hidden,) */ b1: Vector;
  /** (hidden, dModel) */ w2: Matrix;
  /** (dModel,) */ b2: Vector;
}

/** Options of TinyModel.forward. */
export interface ModelForwardOptions {
  /** (h,) 1 keeps a head, 0 removes its contribution (fractions scale it); default all 1 */ headMask?: number[];
}

/** Everything TinyModel.forward computed for one sequence. */
export interface ModelTrace {
  /** (L,) */ tokens: number[];
  /** (L, dModel) embedding + positions */ x: Matrix;
  /** the attention layer's full trace (its output ignores headMask: see `attended`) */ attention: AttentionTrace;
  /** (L, dModel) Σ_i headMask_i·contribution_i + b^O */ attended: Matrix;
  /** (L, dModel) what the read-out reads: attended (+ x with the residual), then (+) the feed-forward block's output */ hidden: Matrix;
  /** the feed-forward block's steps, or null without one */ ffn: {
    /** (L, dModel) its input: attended (+ x) */ input: Matrix;
    /** (L, hidden) input·W₁ + b₁ */ pre: Matrix;
    /** (L, hidden) GELU(pre) */ act: Matrix;
    /** (L, dModel) act·W₂ + b₂ */ output: Matrix;
  } | null;
  /** parts × (L, numClasses) */ logits: Matrix[];
  /** parts × (L, numClasses) softmax of each row */ probs: Matrix[];
  /** parts × (L,) argmax class */ predictions: number[][];
}

function _argmax(row: number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

function _int(name: string, x: unknown): number {
  if (typeof x !== "number" || !Number.isInteger(x) || x < 1) throw new Error(`${name} must be a positive integer, got ${String(x)}`);
  return x;
}

/**
 * A one-layer attention model small enough to train in seconds.
 *   x_i = E[t_i] + P_i,   a = MultiHead(x, x, x),   h = a + x (residual) or a,   logits_p = h·R_p + c_p
 *   with feedForward > 0, before the read-out: h ← h + FFN(h) (residual) or FFN(h),  FFN(h) = GELU(h·W₁ + b₁)·W₂ + b₂
 *   loss = mean over scored (position, part) of −log softmax(logits_p)[target]
 * @example TinyModel.random({ vocab: 5, length: 4, dModel: 8, numHeads: 2 }).forward([0, 1, 2, 3]).predictions.length // returns 1
 */
export class TinyModel {
  readonly config: TinyModelConfig;
  readonly params: TinyModelParams;
  readonly mha: MultiHeadAttention;

  /**
   * Build a model from its parameters (used as given, not copied).
   * @param config the sizes and switches
   * @param params embedding, positions, readout, readoutBias
   * @param mha the attention layer (dModel must match)
   */
  constructor(config: TinyModelConfig, params: TinyModelParams, mha: MultiHeadAttention) {
    if (!(mha instanceof MultiHeadAttention)) throw new Error(`new TinyModel: mha must be a MultiHeadAttention, got ${_describe(mha)}`);
    _checkConfig(config);
    _checkTinyParams("new TinyModel", config, params);
    if (mha.dModel !== config.dModel || mha.numHeads !== config.numHeads) {
      throw new Error(`mha has dModel ${mha.dModel}, numHeads ${mha.numHeads} but config says ${config.dModel}, ${config.numHeads}`);
    }
    this.config = config;
    this.params = params;
    this.mha = mha;
  }

  /**
   * A seeded random model: Xavier-uniform embedding, learned positions and read-out, read-out bias 0,
   * and MultiHeadAttention.random for the layer. The same options give the same model on every machine.
   * @param options { task or vocab + length, dModel, numHeads, numClasses, parts, positions, residual, causal, seed }
   * @example TinyModel.random({ vocab: 5, length: 4, dModel: 8, numHeads: 2 }).config.numClasses // returns 5
   */
  static random(options: TinyModelOptions): TinyModel {
    if (options == null || typeof options !== "object") throw new Error("TinyModel.random needs { vocab, length, dModel, numHeads }");
    _checkOptions("TinyModel.random", options, {
      task: _checkedLater, vocab: _checkedLater, length: _checkedLater, dModel: _checkedLater, numHeads: _checkedLater,
      numClasses: _checkedLater, parts: _checkedLater, partNames: _checkedLater, positions: _isOneOf(["learned", "sinusoidal"]),
      residual: _isBoolean, causal: _isBoolean, feedForward: _isNonNegativeInt, seed: _isSafeInteger,
    });
    const t = options.task;
    const vocab = _int("vocab", options.vocab ?? t?.vocab);
    const length = _int("length", options.length ?? t?.length);
    const dModel = _int("dModel", options.dModel);
    const numHeads = _int("numHeads", options.numHeads);
    const numClasses = _int("numClasses", options.numClasses ?? t?.numClasses ?? vocab);
    const parts = _int("parts", options.parts ?? t?.parts.length ?? 1);
    const positions = options.positions ?? "learned";
    if (positions !== "learned" && positions !== "sinusoidal") throw new Error(`positions must be "learned" or "sinusoidal", got ${String(positions)}`);
    const partNames = options.partNames ?? (t != null && t.parts.length === parts ? t.parts : Array.from({ length: parts }, (_, i) => `part ${i + 1}`));
    if (!Array.isArray(partNames) || partNames.length !== parts) throw new Error(`partNames must have ${parts} names`);
    const config: TinyModelConfig = {
      vocab, length, dModel, numHeads, numClasses, parts, partNames: partNames.slice(), positions,
      residual: options.residual ?? true, causal: options.causal ?? false, feedForward: options.feedForward ?? 0,
    };
    const H = config.feedForward ?? 0;
    const bytes = 8 * (vocab + length + 2 * parts * numClasses + 4 * dModel + 2 * H) * dModel + 32 * (vocab + 2 * length + 5 * dModel + 2 * H);
    _checkBytes(`TinyModel.random({ vocab: ${vocab}, length: ${length}, dModel: ${dModel}, numClasses: ${numClasses} })`, bytes,
      "a model to train in a notebook has vocab, length and dModel in the tens or hundreds");
    const rand = mulberry32(options.seed ?? 0);
    const embedding = glorotUniform(vocab, dModel, rand); // (vocab, dModel)
    const learned = glorotUniform(length, dModel, rand); // (length, dModel), drawn either way so other draws do not move
    const readout = glorotUniform(dModel, parts * numClasses, rand); // (dModel, parts·numClasses)
    const mha = MultiHeadAttention.random({ dModel, numHeads, seed: Math.floor(rand() * 2 ** 31) });
    const ffn = H === 0 ? null : { // drawn last, so a model without it draws exactly as before
      w1: glorotUniform(dModel, H, rand), b1: new Array<number>(H).fill(0), // (dModel, H), (H,)
      w2: glorotUniform(H, dModel, rand), b2: new Array<number>(dModel).fill(0), // (H, dModel), (dModel,)
    };
    return new TinyModel(config, {
      embedding, positions: positions === "learned" ? learned : sinusoidalPositions(length, dModel), readout,
      readoutBias: new Array<number>(parts * numClasses).fill(0), ffn,
    }, mha);
  }

  /** Number of trainable numbers (the sinusoids are not trainable). */
  get numParams(): number {
    const { vocab, length, dModel: E, numClasses, parts, positions } = this.config;
    const p = this.mha.params;
    const b = [p.bQ, p.bK, p.bV, p.bO].reduce((s, x) => s + (x == null ? 0 : x.length), 0);
    const H = this.config.feedForward ?? 0;
    const ffn = H === 0 ? 0 : 2 * E * H + H + E;
    return vocab * E + (positions === "learned" ? length * E : 0) + 4 * E * E + b + ffn + (E + 1) * parts * numClasses;
  }

  /**
   * Run the model on one sequence with the readable layer (mha.forward), returning every step.
   * @param tokens (L,) ids in 0 … vocab − 1; L ≤ config.length
   * @param options { headMask (h,) }
   * @return the ModelTrace: attention weights in trace.attention.weights (h, L, L), predictions (parts, L)
   * @example TinyModel.random({ vocab: 5, length: 4, dModel: 8, numHeads: 2 }).forward([0, 1]).attention.weights.length // returns 2
   */
  forward(tokens: number[], options: ModelForwardOptions = {}): ModelTrace {
    const { vocab, length, dModel: E, numHeads: h, numClasses: C, parts, residual, causal } = this.config;
    _checkOptions("TinyModel.forward", options, { headMask: _checkedLater });
    _checkTokens("tokens", tokens, vocab, length, "TinyModel.forward: ");
    const headMask = _checkHeadMask(options.headMask, h);
    _checkTinyParams("TinyModel.forward", this.config, this.params);
    const { embedding, positions, readout, readoutBias } = this.params;
    const L = tokens.length;
    const x = tokens.map((t, i) => embedding[t].map((e, j) => e + positions[i][j])); // (L, dModel)
    const attention = this.mha.forward(x, causal ? { attnMask: causalMask(L) } : {});
    const bO = this.mha.params.bO;
    const attended = x.map((_, i) => Array.from({ length: E }, (_, j) =>
      attention.contributions.reduce((s, c, hd) => s + headMask[hd] * c[i][j], bO == null ? 0 : bO[j]))); // (L, dModel)
    const afterAttention = residual ? attended.map((row, i) => row.map((a, j) => a + x[i][j])) : attended; // (L, dModel)
    const ffn = this.params.ffn == null ? null : _feedForward(afterAttention, this.params.ffn);
    const hidden = ffn == null ? afterAttention
      : residual ? afterAttention.map((row, i) => row.map((a, j) => a + ffn.output[i][j])) : ffn.output; // (L, dModel)
    const logits: Matrix[] = [];
    for (let p = 0; p < parts; p++) {
      logits.push(hidden.map((row) => Array.from({ length: C }, (_, c) =>
        row.reduce((s, v, j) => s + v * readout[j][p * C + c], readoutBias[p * C + c])))); // (L, C)
    }
    const probs = logits.map((m) => softmaxRows(m, "logits")); // parts × (L, C): src/math's one readable softmax
    const predictions = logits.map((m) => m.map(_argmax)); // parts × (L,)
    return { tokens: tokens.slice(), x, attention, attended, hidden, ffn, logits, probs, predictions };
  }
}

/**
 * The feed-forward block, readably (nested arrays; the trainer's flat path uses src/blocks' FeedForward).
 *   pre = h·W₁ + b₁,   act = GELU(pre),   FFN(h) = act·W₂ + b₂
 */
function _feedForward(input: Matrix, p: TinyFeedForwardParams): NonNullable<ModelTrace["ffn"]> {
  const pre = linear(input, p.w1, p.b1, ["hidden", "ffn.w1", "ffn.b1"]); // (L, H)
  const act = pre.map((row) => row.map(gelu)); // (L, H)
  const output = linear(act, p.w2, p.b2, ["GELU(pre)", "ffn.w2", "ffn.b2"]); // (L, dModel)
  return { input, pre, act, output };
}

/** An option that must be an integer ≥ 0 (the feed-forward width: 0 for none). */
function _isNonNegativeInt(v: unknown, name: string): void {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new Error(`${name} must be an integer ≥ 0 (0 for no feed-forward block), got ${_describe(v)}`);
}

/** Throw unless tokens is a non-empty array of at most `length` integers in 0 … vocab − 1. */
export function _checkTokens(name: string, tokens: unknown, vocab: number, length: number, where = ""): number[] {
  if (!Array.isArray(tokens) || tokens.length === 0) throw new Error(`${where}${name} must be a non-empty array of token ids`);
  if (tokens.length > length) throw new Error(`${where}${name} has ${tokens.length} tokens but the model's length is ${length}`);
  for (let i = 0; i < tokens.length; i++) { // a loop, not forEach: forEach skips holes
    const t: unknown = tokens[i];
    if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t >= vocab) {
      throw new Error(`${where}${name}[${i}] is ${i in tokens ? _describe(t) : "empty (a hole in the array)"}, not a token id in 0…${vocab - 1} (the model's vocab is ${vocab})`);
    }
  }
  return tokens as number[];
}

/** The head mask as (h,) numbers, default all 1. */
export function _checkHeadMask(headMask: unknown, h: number): number[] {
  if (headMask == null) return new Array<number>(h).fill(1);
  if (!Array.isArray(headMask) || headMask.length !== h) {
    throw new Error(`headMask must have one entry per head (${h}), got ${Array.isArray(headMask) ? headMask.length : String(headMask)}`);
  }
  for (let i = 0; i < h; i++) { // a loop, not forEach: forEach skips the holes of [1, , ]
    const g: unknown = headMask[i];
    if (typeof g !== "number" || !Number.isFinite(g)) {
      throw new Error(`headMask[${i}] is ${i in headMask ? _describe(g) : "empty (a hole in the array)"}, not a finite number (1 keeps the head, 0 removes it)`);
    }
  }
  return headMask as number[];
}

/** Throw unless config holds the sizes and switches of a TinyModel (what TinyModel.random resolves). */
function _checkConfig(config: unknown): void {
  const c = config as TinyModelConfig;
  if (c == null || typeof c !== "object") throw new Error(`new TinyModel: config must be a TinyModelConfig (from TinyModel.random), got ${_describe(c)}`);
  for (const k of ["vocab", "length", "dModel", "numHeads", "numClasses", "parts"] as const) {
    if (!Number.isSafeInteger(c[k]) || c[k] < 1) throw new Error(`new TinyModel: config.${k} must be a positive integer, got ${_describe(c[k])}`);
  }
  if (!Array.isArray(c.partNames) || c.partNames.length !== c.parts) throw new Error(`new TinyModel: config.partNames must have ${c.parts} names, got ${_describe(c.partNames)}`);
  if (c.positions !== "learned" && c.positions !== "sinusoidal") throw new Error(`new TinyModel: config.positions must be "learned" or "sinusoidal", got ${_describe(c.positions)}`);
  for (const k of ["residual", "causal"] as const) {
    if (typeof c[k] !== "boolean") throw new Error(`new TinyModel: config.${k} must be true or false, got ${_describe(c[k])}`);
  }
  if (c.feedForward !== undefined) _isNonNegativeInt(c.feedForward, "new TinyModel: config.feedForward");
}

/**
 * Throw unless params has the shapes config says and only finite numbers, naming the parameter, row and column
 * (`model.params.embedding[3][2] is NaN`). Run where the parameters are used (forward, stepper, evaluate), since
 * params are plain arrays anyone can edit.
 */
export function _checkTinyParams(where: string, config: TinyModelConfig, params: TinyModelParams): void {
  if (params == null || typeof params !== "object") throw new Error(`${where}: params must be { embedding, positions, readout, readoutBias }, got ${_describe(params)}`);
  const { vocab, length, dModel: E, numClasses: C, parts } = config;
  const shapes: [keyof TinyModelParams, number, number][] = [["embedding", vocab, E], ["positions", length, E], ["readout", E, parts * C]];
  for (const [name, rows, cols] of shapes) _checkMatrixParam(where, name, params[name], rows, cols);
  _checkVectorParam(where, "readoutBias", params.readoutBias, parts * C);
  const H = config.feedForward ?? 0;
  const ffn: unknown = params.ffn;
  if (H === 0) {
    if (ffn != null) throw new Error(`${where}: model.params.ffn is set but config.feedForward is 0; pass feedForward: <width> to TinyModel.random`);
    return;
  }
  if (ffn == null || typeof ffn !== "object") throw new Error(`${where}: config.feedForward is ${H} but model.params.ffn is ${_describe(ffn)}, not { w1, b1, w2, b2 }`);
  const f = ffn as TinyFeedForwardParams;
  _checkMatrixParam(where, "ffn.w1", f.w1, E, H);
  _checkVectorParam(where, "ffn.b1", f.b1, H);
  _checkMatrixParam(where, "ffn.w2", f.w2, H, E);
  _checkVectorParam(where, "ffn.b2", f.b2, E);
}

/** Throw unless m is a (rows, cols) nested array of finite numbers, naming the parameter, row and column. */
function _checkMatrixParam(where: string, name: string, m: unknown, rows: number, cols: number): void {
  if (!Array.isArray(m) || m.length !== rows) throw new Error(`${where}: model.params.${name} must be (${rows}, ${cols}), got ${_describe(m)}`);
  for (let i = 0; i < rows; i++) {
    const r: unknown = m[i];
    if (!Array.isArray(r) || r.length !== cols) throw new Error(`${where}: model.params.${name}[${i}] must have ${cols} numbers, got ${_describe(r)}`);
    for (let j = 0; j < cols; j++) {
      if (typeof r[j] !== "number" || !Number.isFinite(r[j])) throw new Error(`${where}: model.params.${name}[${i}][${j}] is ${_describe(r[j])}; every weight must be a finite number`);
    }
  }
}

/** Throw unless b is an array of n finite numbers, naming the parameter and entry. */
function _checkVectorParam(where: string, name: string, b: unknown, n: number): void {
  if (!Array.isArray(b) || b.length !== n) throw new Error(`${where}: model.params.${name} must have ${n} numbers, got ${_describe(b)}`);
  for (let j = 0; j < b.length; j++) {
    if (typeof b[j] !== "number" || !Number.isFinite(b[j])) throw new Error(`${where}: model.params.${name}[${j}] is ${_describe(b[j])}; every weight must be a finite number`);
  }
}
