/**
 * The chat model against transformers' LlamaForCausalLM on the same GGUF, float64, eager attention
 * (test/llm/fixtures/golden.*, written by scripts/export_smollm_golden.py). Needs the installed model file.
 */
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { _indexedBin, _BinIndex } from "../../src/minilm/_indexed-bin";
import { ChatModel, loadChatModel } from "../../src/llm/chat-model";
import { hasChatModelFile } from "../../src/llm/files";
import { argmax } from "../../src/llm/sampling";

interface GoldenIndex extends _BinIndex {
  prompts: Record<string, { text: string; ids: number[] }>;
  greedy: { messages: { role: string; content: string }[]; promptIds: number[]; newIds: number[]; text: string; maxNewTokens: number };
  ablation: { prompt: string; heads: [number, number][] };
}
const golden = _indexedBin<GoldenIndex>(() => path.join(__dirname, "fixtures"), "golden.json", "chat model golden values", ".venv-llm-ref/bin/python scripts/export_smollm_golden.py");
const skip = !hasChatModelFile();
const reason = skip ? " (skipped: the model file is not installed; run npm run setup)" : "";

/** max |a − b| over nested arrays */
function maxDiff(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b);
  const x = a as unknown[], y = b as unknown[];
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) throw new Error(`shapes differ: ${Array.isArray(x) ? x.length : typeof x} vs ${Array.isArray(y) ? y.length : typeof y}`);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, maxDiff(x[i], y[i]));
  return m;
}
const norm = (row: number[]) => Math.sqrt(row.reduce((s, v) => s + v * v, 0));

let model: ChatModel;
beforeAll(async () => {
  if (!skip) model = await loadChatModel();
}, 120_000);

describe.skipIf(skip)(`SmolLM2-135M-Instruct equals transformers in float64${reason}`, () => {
  for (const name of ["plain", "code", "unicode", "chat"]) {
    it(`${name}: token ids equal; attentions and hidden states of every layer to 1e-9; last logits to 1e-8`, () => {
      const p = golden.index().prompts[name];
      const text = name === "chat" ? model.chatPrompt([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi!" }]) : p.text;
      expect(text).toBe(p.text);
      const ids = model.tokenize(text).ids;
      expect(ids).toEqual(p.ids);
      const f = model.forward(ids);
      expect(f.attentions.length).toBe(30);
      expect(f.attentions[0].length).toBe(9);
      expect(maxDiff(f.attentions, golden.tensor(`${name}.attentions`))).toBeLessThan(1e-9);
      const last = f.hiddenStates.map((h) => h[h.length - 1]);
      expect(maxDiff(last, golden.tensor(`${name}.hiddenLast`))).toBeLessThan(1e-9);
      expect(maxDiff(f.hiddenStates.map((h) => h.map(norm)), golden.tensor(`${name}.hiddenNorms`))).toBeLessThan(1e-9);
      if (name === "plain") expect(maxDiff(f.hiddenStates, golden.tensor("plain.hiddenStates"))).toBeLessThan(1e-9);
      expect(maxDiff(f.logits[f.logits.length - 1], golden.tensor(`${name}.logitsLast`))).toBeLessThan(1e-8);
    }, 60_000);
  }

  it("a greedy continuation of 32 tokens (KV-cache decoding in float32 sums, the default, argmax) is identical, token for token", async () => {
    expect(model._float32Decoding).toBe(true);
    const g = golden.index().greedy;
    const promptIds = model.tokenize(model.chatPrompt(g.messages as never)).ids;
    expect(promptIds).toEqual(g.promptIds);
    const d = model.prefill(promptIds);
    const ids: number[] = [];
    for (let t = 0; t < g.maxNewTokens; t++) {
      ids.push(argmax(d.logits));
      if (t + 1 < g.maxNewTokens) d.next(ids[t]);
      await new Promise((r) => setImmediate(r)); // a token takes seconds on a loaded machine: let vitest's worker talk
    }
    expect(ids).toEqual(g.newIds);
    expect(model.detokenize(ids)).toBe(g.text);
  }, 300_000);

  it("generate (greedy, stop: []) gives the same first 8 tokens and text", () => {
    const g = golden.index().greedy;
    const out = model.generate(g.messages as never, { maxNewTokens: 8, stop: [] });
    expect(out.promptIds).toEqual(g.promptIds);
    expect(out.ids).toEqual(g.newIds.slice(0, 8));
    expect(out.text).toBe(model.detokenize(g.newIds.slice(0, 8)));
  }, 120_000);

  it("float32 decoding against float64 decoding on every golden prompt: last logits within 2e-4 (max |Δ| printed: 2.5e-5 to 4.4e-5 here), 32 greedy tokens identical", async () => {
    const g = golden.index();
    const prompts = [...["plain", "code", "unicode", "chat"].map((n) => g.prompts[n].ids), g.greedy.promptIds];
    const report: string[] = [];
    for (const ids of prompts) {
      const runs = [true, false].map((f32) => {
        model._float32Decoding = f32;
        const d = model.prefill(ids, ids.length + 32);
        const first = d.logits.slice();
        const out: number[] = [];
        for (let t = 0; t < 32; t++) {
          out.push(argmax(d.logits));
          if (t < 31) d.next(out[t]);
        }
        return { first, out };
      });
      model._float32Decoding = true;
      const delta = maxDiff(Array.from(runs[0].first), Array.from(runs[1].first));
      report.push(`${ids.length} tokens: max |Δ logit| ${delta.toExponential(2)}`);
      expect(delta).toBeLessThan(2e-4);
      expect(runs[0].out).toEqual(runs[1].out);
      await new Promise((r) => setImmediate(r));
    }
    console.log(`float32 vs float64 decoding: ${report.join("; ")}`);
  }, 600_000);

  it("removing two heads (headMask 0) equals transformers with their W_O columns zeroed", () => {
    const a = golden.index().ablation;
    const mask = Array.from({ length: 30 }, () => new Array(9).fill(1));
    for (const [l, h] of a.heads) mask[l][h] = 0;
    const f = model.forward(golden.index().prompts[a.prompt].ids, { headMask: mask });
    const got = f.logits[f.logits.length - 1];
    expect(maxDiff(got, golden.tensor("ablation.logitsLast"))).toBeLessThan(1e-8);
    // and the ablation did something: the logits moved
    expect(maxDiff(got, golden.tensor(`${a.prompt}.logitsLast`))).toBeGreaterThan(1e-3);
    for (const [l, h] of a.heads) expect(f.attentions[l][h].flat().every((v) => v === 0)).toBe(true);
  }, 60_000);
});
