#!/usr/bin/env node
// `npm test`: setup (same code path as `npm start`), then every stage in order: typecheck, build (a
// failure here stops the run), unit tests (vitest), the preflight doctor, notebooks (pytest + nbclient +
// tslab), handouts, the workshop hub (JupyterHub + a 2-learner load test), browser tests (Galata +
// Chromium). Every stage runs even when an earlier test stage failed, so one run shows all failures;
// the exit code is 1 if any failed.
// Each stage's own output streams through; at the end one summary line adds up the tests that the
// runners reported ("N passed" / "N failed" in their closing lines).
import { spawn } from "node:child_process";
import path from "node:path";
import { IS_WIN, NOTEBOOK_SUITE, ROOT, VENV_PY, jupyterEnv, log, runMain, setup } from "./lib.mjs";

const npm = IS_WIN ? "npm.cmd" : "npm";

const stages = [
  { name: "typecheck", cmd: npm, args: ["run", "--silent", "typecheck"] },
  { name: "build", cmd: npm, args: ["run", "--silent", "build"], fatal: true },
  // vitest.config.ts keeps the Playwright specs (test/browser) out of this stage.
  { name: "unit tests (vitest)", cmd: npm, args: ["run", "--silent", "test:unit"], counts: true },
  // npm run doctor, each of its checks broken on purpose in a throw-away copy.
  { name: "doctor (npm run test:doctor)", cmd: npm, args: ["run", "--silent", "test:doctor"], env: jupyterEnv(), counts: true },
  {
    name: "notebooks (pytest + nbclient + tslab)",
    cmd: VENV_PY,
    args: ["-m", "pytest", ...NOTEBOOK_SUITE, "-v", "-p", "no:cacheprovider", "--durations=5", "--tb=short"],
    env: jupyterEnv(),
    counts: true,
  },
  // Offline handouts built from the executed copies the notebook stage left in build/executed/.
  { name: "handouts (npm run test:handouts)", cmd: npm, args: ["run", "--silent", "test:handouts"], env: jupyterEnv(), counts: true },
  // npm run hub + npm run hub:loadtest -- --users 2, then cleanup (system users need root, as in CI).
  { name: "workshop hub (npm run test:hub)", cmd: npm, args: ["run", "--silent", "test:hub"], counts: true },
  { name: "browser (npm run test:browser)", cmd: npm, args: ["run", "--silent", "test:browser"], env: jupyterEnv(), counts: true },
];

const strip = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

/** Runs a stage, streaming its output, and returns { code, passed, failed } from its closing lines. */
function runStage(stage) {
  return new Promise((resolve) => {
    const child = spawn(stage.cmd, stage.args, { cwd: ROOT, env: stage.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const onData = (stream) => (chunk) => {
      stream.write(chunk);
      tail = (tail + chunk.toString()).slice(-20000);
    };
    child.stdout.on("data", onData(process.stdout));
    child.stderr.on("data", onData(process.stderr));
    child.on("error", (e) => resolve({ code: 1, passed: 0, failed: 1, error: e.message }));
    child.on("close", (code, signal) => {
      // The last line that says "N passed" or "N failed" is the runner's summary
      // (vitest: "Tests  12 passed (12)", pytest: "== 5 passed in 3.1s ==", playwright: "3 passed (20s)").
      // Playwright puts "N failed" and "N passed" on separate lines, so each is taken from its own last line.
      const lines = strip(tail).split(/\r?\n/).slice(-200).filter((l) => !/Test Files/.test(l));
      const num = (re) => Number(lines.filter((l) => re.test(l)).at(-1)?.match(re)?.[1] ?? 0);
      resolve({ code: code ?? (signal ? 1 : 0), passed: num(/(\d+) passed/), failed: num(/(\d+) failed/) });
    });
  });
}

runMain(async () => {
  const t0 = Date.now();
  log("npm test: setup");
  setup();
  let passed = 0;
  let failed = 0;
  const timings = [];
  const failedStages = [];
  for (const stage of stages) {
    log(`npm test: ${stage.name}`);
    const s0 = Date.now();
    const r = await runStage(stage);
    timings.push(`${stage.name} ${((Date.now() - s0) / 1000).toFixed(0)} s`);
    if (stage.counts) {
      passed += r.passed;
      // A runner that failed without a countable "N failed" line (crash, config error) counts as 1.
      failed += r.code !== 0 ? Math.max(r.failed, 1) : r.failed;
    }
    if (r.code !== 0) {
      if (r.error) console.error(r.error);
      log(`npm test: stage "${stage.name}" FAILED (exit ${r.code})`);
      failedStages.push(stage.name);
      if (stage.fatal) break; // nothing after it can run without it
    } else if (stage.counts && r.passed === 0) {
      log(`npm test: stage "${stage.name}" ran no test`);
      failedStages.push(`${stage.name} (ran no test)`);
      failed += 1;
    }
  }
  const took = `${((Date.now() - t0) / 1000).toFixed(0)} s (${timings.join(", ")})`;
  if (failedStages.length) log(`npm test: FAILED stages: ${failedStages.join("; ")} after ${took}`);
  else log(`npm test: all stages passed in ${took}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failedStages.length ? 1 : 0);
});
