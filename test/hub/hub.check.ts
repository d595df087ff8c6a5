// `npm run hub:loadtest -- --users 2` end to end: it starts its own hub (scripts/hub/hub.mjs), two learners log
// in through the login form and the REST API, each runs notebooks/04-many-heads.ipynb on their own kernel through
// the proxy; every cell must run and every chart arrive, and afterwards nothing may be left: no hub user, no
// system user (as root), no home folder, no process of a learner, no memory cgroup.
// Then the memory limit: with --mem-limit 40M the kernel OOM-kills a learner's server inside that learner's memory
// cgroup, and the test proves it was an out-of-memory kill (the cgroup's oom_kill counter, which the hub logs),
// not merely "the learner failed": a spawn timeout or a bad argument leaves the counter at 0 and fails the test.
// Leftovers are looked for in every cgroup hierarchy, v1 and v2.
// Run: npx vitest run -c test/hub/vitest.config.mts   (~1-3 min)
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const isRoot = process.getuid?.() === 0;

interface Report {
  users: number; completed: number; failed: number;
  login_to_ready_s: { p50: number; p95: number; max: number };
  run_all_s: { p50: number; p95: number; max: number };
  slowest_cell_s: { p50: number; p95: number; max: number; cell: string };
  memory_per_learner_mb: {
    server_and_kernel_peak: { max: number }; kernel_peak: { max: number }; server_peak: { max: number };
    kernel_vmhwm: { max: number }; server_vmhwm: { max: number }; cgroup_peak: { max: number | null };
  };
  cpu_s_per_learner: { server_and_kernel: { max: number } };
  loadavg: { before_1min: number; during_max_1min: number };
  charts_per_learner: number[];
  cleanup: { servers_stopped: number; hub_users_deleted: number; system_users_deleted: number; errors: string[] };
  oom_kills: Record<string, number> | null;
  hub: { log: string | null };
  errors: Record<string, { stage: string; error: string | null; problems: string[] | null }>;
  learners: { user: string; ok: boolean; code_cells: number; charts: number }[];
}

function loadtest(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", "hub:loadtest", "--", ...args], { cwd: ROOT });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (status) => resolve({ status, out }));
  });
}

/** Every cgroup directory of a learner whose name starts with `prefix`, under any hierarchy: cgroup v1 (memory/,
 * pids/, cpu/, …) and v2 (/sys/fs/cgroup or /sys/fs/cgroup/unified), wherever the hub's mha-lab-hub/ parent sits. */
function cgroupLeftovers(prefix: string): string[] {
  const parents = spawnSync("find", ["/sys/fs/cgroup", "-maxdepth", "7", "-type", "d", "-name", "mha-lab-hub"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  return parents.flatMap((p) => fs.readdirSync(p).filter((e) => e.startsWith(prefix)).map((e) => path.join(p, e)));
}

const learnerProcesses = (prefix: string) =>
  spawnSync("ps", ["-eo", "user:32,args"], { encoding: "utf8" }).stdout.split("\n").filter((l) => l.startsWith(prefix));

describe("npm run hub:loadtest", () => {
  it("--users 2: both learners log in, run notebook 04 with every chart, and everything is cleaned up", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mha-hub-"));
    const out = path.join(tmp, "report.json");
    const prefix = `vt${process.pid}`;
    const r = await loadtest(["--users", "2", "--prefix", prefix, "--out", out]);
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as Report;
    expect(report.errors, r.out.slice(-3000)).toEqual({});
    expect(r.status).toBe(0);
    expect(report).toMatchObject({ users: 2, completed: 2, failed: 0 });
    // notebook 04: every code cell ran; 3 cells call show(), each drew its chart
    const cells = JSON.parse(fs.readFileSync(path.join(ROOT, "notebooks", "04-many-heads.ipynb"), "utf8")).cells.filter((c: { cell_type: string }) => c.cell_type === "code").length;
    for (const l of report.learners) expect(l).toMatchObject({ ok: true, code_cells: cells, charts: expect.any(Number) });
    expect(Math.min(...report.charts_per_learner)).toBeGreaterThanOrEqual(3);
    // the report's top level is filled in (values, not their size: no timing assertions)
    for (const k of ["login_to_ready_s", "run_all_s", "slowest_cell_s"] as const) expect(report[k].max).toBeGreaterThan(0);
    expect(report.slowest_cell_s.cell).toMatch(/\S/);
    const mem = report.memory_per_learner_mb;
    expect(mem.server_and_kernel_peak.max).toBeGreaterThan(mem.kernel_peak.max);
    // a process's own peak (VmHWM) is never below any sample of its RSS, up to the kernel's counting: since Linux 6.2
    // a process's RSS counters are per-CPU (percpu_counter, batches of 32 pages per CPU, for file, anon and shmem
    // pages), and VmRSS and VmHWM read them approximately, so one can read below the other by up to 3·32·CPUs pages
    // per process (CI once saw VmHWM 259.652 MB under an RSS sample of 259.715 MB). A units or process mix-up is MBs.
    const slackMb = (3 * 32 * os.cpus().length * 4096 * 4) / 2 ** 20; // up to 4 processes per kind
    expect(mem.kernel_vmhwm.max).toBeGreaterThanOrEqual(mem.kernel_peak.max - slackMb);
    expect(mem.server_vmhwm.max).toBeGreaterThanOrEqual(mem.server_peak.max - slackMb);
    if (isRoot) expect(mem.cgroup_peak.max).toBeGreaterThan(0);
    expect(report.cpu_s_per_learner.server_and_kernel.max).toBeGreaterThan(0);
    expect(report.loadavg.during_max_1min).toBeGreaterThan(0);
    // cleaned up
    expect(report.cleanup).toMatchObject({ servers_stopped: 2, hub_users_deleted: 2, errors: [] });
    const names = [`${prefix}-1`, `${prefix}-2`];
    if (isRoot) {
      expect(report.cleanup.system_users_deleted).toBe(2);
      for (const n of names) {
        expect(spawnSync("id", [n]).status, `system user ${n} still exists`).not.toBe(0);
        expect(fs.existsSync(`/home/${n}`), `/home/${n} still exists`).toBe(false);
      }
    }
    expect(learnerProcesses(prefix)).toEqual([]);
    expect(report.oom_kills).toEqual({ [names[0]]: 0, [names[1]]: 0 });
    if (isRoot) expect(cgroupLeftovers(prefix)).toEqual([]);
    const leftovers = fs.readdirSync(path.join(ROOT, ".hub")).filter((e) => e.startsWith("loadtest-") && !e.endsWith(".log"));
    expect(leftovers.filter((e) => fs.existsSync(path.join(ROOT, ".hub", e, "jupyterhub.pid")))).toEqual([]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it.runIf(isRoot)("--mem-limit is enforced: at 40M the kernel OOM-kills the learner's server in their memory cgroup (its oom_kill counter rose), and nothing is left", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mha-hub-"));
    const out = path.join(tmp, "report.json");
    const prefix = `vm${process.pid}`;
    const r = await loadtest(["--users", "1", "--mem-limit", "40M", "--spawn-timeout", "120", "--prefix", prefix, "--out", out]);
    const report = JSON.parse(fs.readFileSync(out, "utf8")) as Report;
    expect(r.status).toBe(1);
    expect(report).toMatchObject({ users: 1, completed: 0, failed: 1 });
    // the proof: the kernel killed a process of this learner for memory (a timeout or a crash counts 0 here)
    expect(report.oom_kills?.[`${prefix}-1`], JSON.stringify(report.errors).slice(0, 2000)).toBeGreaterThanOrEqual(1);
    expect(report.cleanup.errors).toEqual([]);
    expect(cgroupLeftovers(prefix)).toEqual([]);
    expect(learnerProcesses(prefix)).toEqual([]);
    // the hub's log is kept when a learner failed: root's alone, and without the hub's password ("lt-" + 16 hex)
    const log = report.hub.log!;
    expect(fs.statSync(log).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(log, "utf8");
    expect(text).toMatch(new RegExp(`OOM-KILL learner=${prefix}-1 kills=\\d+`));
    expect(text).not.toMatch(/lt-[0-9a-f]{16}/);
    fs.rmSync(log, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
