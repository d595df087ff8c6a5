#!/usr/bin/env node
// `npm test`: setup (same code path as `npm start`), typecheck, build (a failure here stops the run), then two
// lanes side by side, one per core of the 2-core machines we run on:
//   lane 1: notebooks (pytest + nbclient + tslab; writes build/executed/) → browser (Galata + Chromium);
//   lane 2: unit tests (vitest, one worker) → the preflight doctor → the workshop hub (JupyterHub + load test)
//           → exercises (each notebook solved, own kernels; writes only build/executed/course-exercises/) → handouts.
// Browser and handouts read the executed copies, so each starts only after the notebook stage has ended.
// Lane 1's output streams; each stage of lane 2 prints its whole output when it ends.
// MHA_TEST_SERIAL=1 runs the stages one after another instead (unit, doctor, notebooks, exercises, handouts, hub,
// browser).
// Every stage runs even when an earlier test stage failed, so one run shows all failures; the exit code is 1 if
// any failed.
// At the end one summary line adds up the tests that the runners reported: "N passed, N failed, N skipped"
// (vitest's "Tests" line, pytest's "== … ==" line, playwright's closing lines). Each runner also writes a report (build/test-reports/) naming every skipped test.
// Under CI=true a skipped test fails the run unless test/skips.json lists it with its reason (docs/testing.md).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { IS_WIN, ROOT, VENV_PY, jupyterEnv, log, runMain, setup } from "./lib.mjs";

const npm = IS_WIN ? "npm.cmd" : "npm";
const REPORTS = path.join(ROOT, "build", "test-reports");
export const SKIPS_FILE = path.join(ROOT, "test", "skips.json");

/** vitest arguments that add a JSON report (names and status of every test) next to the usual output. */
const vitestReport = (id) => ["--", "--reporter=default", "--reporter=json", `--outputFile.json=${path.join(REPORTS, id + ".json")}`];

const first = [
  { name: "typecheck", cmd: npm, args: ["run", "--silent", "typecheck"] },
  { name: "build", cmd: npm, args: ["run", "--silent", "build"], fatal: true },
];
/** pytest over one folder, its JUnit report named `id`. */
const pytest = (dir, id) => ["-m", "pytest", dir, "-v", "-rs", "-p", "no:cacheprovider", "--durations=5", "--tb=short", `--junitxml=${path.join(REPORTS, id + ".xml")}`];
const stages = [
  // vitest.config.ts keeps the Playwright specs (test/browser) out of this stage.
  { name: "unit tests (vitest)", cmd: npm, args: ["run", "--silent", "test:unit", ...vitestReport("unit")], counts: true, report: { kind: "vitest", id: "unit" } },
  // npm run doctor, each of its checks broken on purpose in a throw-away copy.
  { name: "doctor (npm run test:doctor)", cmd: npm, args: ["run", "--silent", "test:doctor", ...vitestReport("doctor")], env: jupyterEnv(), counts: true, report: { kind: "vitest", id: "doctor" } },
  // Every notebook as committed, through the real tslab kernel; the executed copies land in build/executed/.
  {
    name: "notebooks (pytest + nbclient + tslab)",
    cmd: VENV_PY,
    args: pytest("test/notebooks", "notebooks"),
    env: jupyterEnv(),
    counts: true,
    report: { kind: "junit", id: "notebooks" },
  },
  // Every notebook's exercises solved (wrong answers refused, the solution accepted), each in its own kernel run;
  // it writes only build/executed/course-exercises/, so it may run beside the stages that read build/executed/.
  {
    name: "exercises (pytest + nbclient + tslab)",
    cmd: VENV_PY,
    args: pytest("test/course-exercises", "exercises"),
    env: jupyterEnv(),
    counts: true,
    report: { kind: "junit", id: "exercises" },
  },
  // Offline handouts of every notebook, from the executed copies the notebook stage left in build/executed/.
  { name: "handouts (npm run test:handouts)", cmd: npm, args: ["run", "--silent", "test:handouts", ...vitestReport("handouts")], env: jupyterEnv(), counts: true, report: { kind: "vitest", id: "handouts" }, after: "notebooks" },
  // npm run hub + npm run hub:loadtest -- --users 2, then cleanup (system users need root, as in CI).
  { name: "workshop hub (npm run test:hub)", cmd: npm, args: ["run", "--silent", "test:hub", ...vitestReport("hub")], counts: true, report: { kind: "vitest", id: "hub" } },
  // playwright.config.ts writes build/test-reports/browser.json
  { name: "browser (npm run test:browser)", cmd: npm, args: ["run", "--silent", "test:browser"], env: jupyterEnv(), counts: true, report: { kind: "playwright", id: "browser" }, after: "notebooks" },
];
const byName = (prefix) => stages.find((s) => s.name.startsWith(prefix));
/**
 * The two lanes (see the top of this file), about equally long on the idle machine (docs/testing.md): what reads
 * build/executed/ (browser, handouts) starts after the notebook stage that writes it has ended.
 */
export const LANES = [
  ["notebooks", "browser"].map(byName),
  ["unit", "doctor", "workshop hub", "exercises", "handouts"].map(byName),
];

const strip = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

/**
 * The counts a runner printed in its closing lines: { passed, failed, skipped }.
 * vitest:     "      Tests  1 failed | 40 passed | 2 skipped (43)"   (the "Test Files" line is not tests)
 * pytest:     "==== 2 failed, 61 passed, 3 skipped, 1 error in 98.20s ===="   (errors count as failed)
 * playwright: "  1 failed" … "  2 skipped" … "  30 passed (6.8m)", each on its own line ("flaky" counts as passed,
 *             "interrupted" and "did not run" as failed: they were meant to run)
 * For each word the last line that has it wins: the summary comes after any test output that looks alike.
 */
export function parseCounts(output) {
  // Only the runners' own summary lines count: vitest's "Tests  …", pytest's closing "== … in 3.1s ==", Playwright's
  // "  5 failed" lines. A test's NAME may say "after 5 failed logins" (the hub's does) and must not be read as a count.
  const summary = (l) => /^\s*Tests\s/.test(l) || /^=*\s*\d+ (passed|failed|skipped|deselected|errors?|xfailed|xpassed|warnings?)\b.* in [\d.]+s\b/.test(l) || /^\s*\d+ (passed|failed|skipped|flaky|interrupted|did not run)\b/.test(l);
  const lines = strip(output).split(/\r?\n/).slice(-200).filter((l) => !/Test Files/.test(l) && summary(l));
  const num = (re) => Number(lines.filter((l) => re.test(l)).at(-1)?.match(re)?.[1] ?? 0);
  return {
    passed: num(/(\d+) passed/) + num(/^\s*(\d+) flaky\b/),
    failed: num(/(\d+) failed/) + num(/(\d+) errors?\b.* in [\d.]+s\b/) + num(/^\s*(\d+) interrupted\b/) + num(/^\s*(\d+) did not run\b/),
    skipped: num(/(\d+) skipped/),
  };
}

const STRIP_ANSI = /\x1b\[[0-9;]*m/g;
const xmlText = (t) => t.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/**
 * Every test in a runner's report as { name, status, message }: name "file > test name" (pytest: its node id),
 * status "passed" | "failed" | "skipped", message the failure's text ("" otherwise).
 */
export function testsInReport(kind, text) {
  if (kind === "vitest") {
    const r = JSON.parse(text);
    return (r.testResults ?? []).flatMap((f) => {
      const file = path.relative(ROOT, f.name);
      const tests = (f.assertionResults ?? []).map((t) => ({
        name: `${file} > ${t.fullName}`,
        status: ["skipped", "pending", "todo"].includes(t.status) ? "skipped" : t.status === "failed" ? "failed" : "passed",
        message: (t.failureMessages ?? []).join("\n"),
      }));
      // a file that failed outside any test (a hook, an import) has its message on the file
      if (f.status === "failed" && f.message && !tests.some((t) => t.status === "failed")) tests.push({ name: `${file} (outside a test)`, status: "failed", message: f.message });
      return tests;
    });
  }
  if (kind === "junit") {
    const out = [];
    for (const m of text.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const attr = (k) => m[1].match(new RegExp(`\\b${k}="([^"]*)"`))?.[1] ?? "";
      const body = m[2] ?? "";
      const bad = /<(failure|error)\b[^>]*?message="([^"]*)"/.exec(body);
      const status = /<skipped\b/.test(body) ? "skipped" : /<(failure|error)\b/.test(body) ? "failed" : "passed";
      out.push({ name: `${attr("classname")}::${attr("name")}`, status, message: bad ? xmlText(bad[2]) : "" });
    }
    return out;
  }
  if (kind === "playwright") {
    const out = [];
    const walk = (suite, trail) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests ?? []) {
          const status = t.status === "skipped" ? "skipped" : t.status === "unexpected" ? "failed" : "passed";
          const message = (t.results ?? []).map((r) => r.error?.message ?? "").filter(Boolean).join("\n");
          out.push({ name: `${spec.file} > ${[...trail, spec.title].join(" > ")}`, status, message });
        }
      }
      for (const s of suite.suites ?? []) walk(s, s.title && !s.title.endsWith(".ts") ? [...trail, s.title] : trail);
    };
    for (const s of JSON.parse(text).suites ?? []) walk(s, []);
    return out;
  }
  throw new Error(`testsInReport: unknown report kind ${kind}`);
}

/** Names of the skipped tests in a runner's report. */
export const skippedInReport = (kind, text) => testsInReport(kind, text).filter((t) => t.status === "skipped").map((t) => t.name);

/** The failed tests in a runner's report, each as "name: the first line of its message" (for the closing lines). */
export const failedInReport = (kind, text) =>
  testsInReport(kind, text)
    .filter((t) => t.status === "failed")
    .map((t) => {
      const first = t.message.replace(STRIP_ANSI, "").split("\n").map((l) => l.trim()).find(Boolean) ?? "(no message)";
      return `${t.name}: ${first.slice(0, 300)}`;
    });

/**
 * The skipped tests test/skips.json does not allow: each entry is { "test": "<name as reported, * = any text>",
 * "reason": "<why it may skip in CI>" }; an entry without a reason allows nothing.
 */
export function unexplainedSkips(skipped, allowed) {
  const rules = (allowed ?? [])
    .filter((a) => typeof a?.test === "string" && typeof a?.reason === "string" && a.reason.trim())
    .map((a) => new RegExp(`^${a.test.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`));
  return skipped.filter((name) => !rules.some((re) => re.test(name)));
}

/**
 * Runs a stage and returns { code, passed, failed, skipped, seconds } from its closing lines. Its output streams, or,
 * with `buffered`, is held and written in one block when the stage ends (a stage running beside a streaming one).
 */
export function runStage(stage, { buffered = false, out = process.stdout, err = process.stderr } = {}) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(stage.cmd, stage.args, { cwd: ROOT, env: stage.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const held = [];
    const onData = (stream) => (chunk) => {
      if (buffered) held.push(chunk);
      else stream.write(chunk);
      tail = (tail + chunk.toString()).slice(-20000);
    };
    child.stdout.on("data", onData(out));
    child.stderr.on("data", onData(err));
    const done = (r) => {
      if (buffered) out.write(Buffer.concat(held));
      resolve({ ...r, seconds: (Date.now() - t0) / 1000 });
    };
    child.on("error", (e) => done({ code: 1, passed: 0, failed: 1, skipped: 0, error: e.message }));
    child.on("close", (code, signal) => done({ code: code ?? (signal ? 1 : 0), ...parseCounts(tail) }));
  });
}

/**
 * Runs each lane's stages in order, the lanes side by side; the first lane streams, the others are buffered. A stage
 * with `after: "<name prefix>"` also waits until that stage (in any lane) has ended. `onStage(stage, result)` is called
 * as each stage ends. Resolves when every lane has finished.
 */
export async function runLanes(lanes, onStage, run = runStage) {
  const ended = new Map(); // stage → promise resolved when it ends
  const signals = new Map();
  for (const stage of lanes.flat()) ended.set(stage, new Promise((resolve) => signals.set(stage, resolve)));
  const find = (prefix) => {
    const s = lanes.flat().find((x) => x.name.startsWith(prefix));
    if (!s) throw new Error(`runLanes: stage "${prefix}" (named in after:) is not in any lane`);
    return s;
  };
  await Promise.all(
    lanes.map(async (lane, i) => {
      for (const stage of lane) {
        if (stage.after) await ended.get(find(stage.after));
        if (i > 0) log(`npm test: ${stage.name} (beside the other lane; its output comes when it ends)`);
        else log(`npm test: ${stage.name}`);
        const r = await run(stage, { buffered: i > 0 });
        if (i > 0) log(`npm test: ${stage.name}: output above`);
        onStage(stage, r);
        signals.get(stage)();
      }
    }),
  );
}

/** `read(kind, text)` over a stage's report, or null when the report is missing or unreadable. */
function fromReport(stage, read) {
  const file = path.join(REPORTS, stage.report.id + (stage.report.kind === "junit" ? ".xml" : ".json"));
  try {
    return read(stage.report.kind, fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

async function main() {
  const t0 = Date.now();
  const ci = process.env.CI === "true";
  log("npm test: setup");
  setup();
  fs.rmSync(REPORTS, { recursive: true, force: true });
  fs.mkdirSync(REPORTS, { recursive: true });
  const allowed = fs.existsSync(SKIPS_FILE) ? JSON.parse(fs.readFileSync(SKIPS_FILE, "utf8")).skips : [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const timings = [];
  const failedStages = [];
  const failedTests = []; // repeated at the end, so a CI log's tail names what failed
  const skipNotes = [];
  const finish = (stage, r) => {
    timings.push(`${stage.name} ${r.seconds.toFixed(0)} s`);
    if (stage.counts) {
      passed += r.passed;
      skipped += r.skipped;
      // A runner that failed without a countable "N failed" line (crash, config error) counts as 1.
      failed += r.code !== 0 ? Math.max(r.failed, 1) : r.failed;
    }
    if (r.code !== 0) {
      if (r.error) console.error(r.error);
      log(`npm test: stage "${stage.name}" FAILED (exit ${r.code})`);
      failedStages.push(stage.name);
      if (stage.report) for (const f of fromReport(stage, failedInReport) ?? []) failedTests.push(`${stage.name}: ${f}`);
    } else if (stage.counts && r.passed === 0) {
      log(`npm test: stage "${stage.name}" ran no test`);
      failedStages.push(`${stage.name} (ran no test)`);
      failed += 1;
    }
    if (stage.report && r.skipped > 0) {
      const names = fromReport(stage, skippedInReport);
      const bad = names === null ? null : unexplainedSkips(names, allowed);
      log(`npm test: stage "${stage.name}" skipped ${r.skipped}: ${names === null ? "(no report)" : names.join("; ")}`);
      if (ci && (bad === null || bad.length)) {
        const what = bad === null ? `its report ${stage.report.id} is missing, so its ${r.skipped} skip(s) cannot be checked` : `not in test/skips.json: ${bad.join("; ")}`;
        skipNotes.push(`${stage.name}: ${what}`);
        failedStages.push(`${stage.name} (unexplained skips)`);
      }
    }
  };
  let fatal = false;
  for (const stage of first) {
    log(`npm test: ${stage.name}`);
    const r = await runStage(stage);
    finish(stage, r);
    if (r.code !== 0 && stage.fatal) {
      fatal = true; // nothing after it can run without it
      break;
    }
  }
  if (!fatal) {
    const serial = process.env.MHA_TEST_SERIAL === "1";
    await runLanes(serial ? [stages] : LANES, finish);
  }
  const took = `${((Date.now() - t0) / 1000).toFixed(0)} s (${timings.join(", ")})`;
  for (const n of skipNotes) log(`npm test: CI=true and a test skipped without a listed reason: ${n}`);
  for (const t of failedTests) log(`npm test: failed: ${t}`);
  if (failedStages.length) log(`npm test: FAILED stages: ${failedStages.join("; ")} after ${took}`);
  else log(`npm test: all stages passed in ${took}`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failedStages.length ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) runMain(main);
