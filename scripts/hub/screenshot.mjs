#!/usr/bin/env node
// Screenshots of the workshop hub as a learner sees it, with Debian's Chromium (playwright-core):
//   build/hub-login.png  the hub's login page
//   build/hub-lab.png    a learner's JupyterLab through the hub, notebook 04 run (Run → Run All Cells), a chart drawn
// Starts its own hub (free port, throw-away state dir and password), logs in as one learner, then stops the
// learner's server, deletes the learner (from the hub and the system) and stops the hub.
// Run: node scripts/hub/screenshot.mjs [--notebook 04-many-heads.ipynb]
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { launchChromium } from "../chromium.mjs";
import { waitAllDrawn } from "../drawn.mjs";
import { ROOT } from "../runtime/lib.mjs";

const nbArg = process.argv.indexOf("--notebook");
const NOTEBOOK = nbArg > 0 ? process.argv[nbArg + 1] : "04-many-heads.ipynb";
const OUT = path.join(ROOT, "build");
const USER = `shot${process.pid}`;

const freePort = () =>
  new Promise((res) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

async function waitFor(url, ms = 120000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer`);
}

const port = await freePort();
const password = "shot-" + randomBytes(6).toString("hex");
const state = path.join(ROOT, ".hub", `screenshot-${process.pid}`);
const own = "own-" + randomBytes(8).toString("hex"); // the learner's own password, set by claiming the name
// The workshop password goes in the environment: a command line is visible to every user.
const hub = spawn(process.execPath, [path.join(ROOT, "scripts", "hub", "hub.mjs"), "--no-setup", "--port", String(port), "--state-dir", state, "--cull-idle", "0"], {
  cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], detached: true, env: { ...process.env, MHA_HUB_PASSWORD: password },
});
const base = `http://127.0.0.1:${port}`;
let browser;
let page;
let step = "login page";
try {
  await waitFor(`${base}/hub/api/`);
  fs.mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/hub/login`);
  await page.waitForSelector("#username_input");
  await page.screenshot({ path: path.join(OUT, "hub-login.png") });
  await page.fill("#username_input", USER);
  await page.fill("#password_input", own);
  await page.fill("#otp_input", password); // claiming a name needs the workshop password
  await page.click("#login_submit");
  // the spawn page, then JupyterLab on the default URL (00-welcome); then the notebook to run
  step = "waiting for JupyterLab after login";
  await page.waitForURL(/\/user\/[^/]+\/lab/, { timeout: 180000 });
  await page.goto(`${base}/user/${USER}/lab/tree/${NOTEBOOK}`);
  await page.waitForSelector(".jp-Notebook", { timeout: 120000 });
  await page.waitForSelector(".jp-Notebook-ExecutionIndicator[data-status='idle'], .jp-Toolbar-kernelStatus", { timeout: 120000 }).catch(() => {});
  await page.waitForTimeout(3000);
  step = "Run → Run All Cells";
  await page.getByRole("menuitem", { name: "Run", exact: true }).click();
  await page.getByText("Run All Cells", { exact: true }).click();
  step = "waiting for a chart whose data is drawn (scripts/drawn.mjs, not only plotly's frame)";
  await waitAllDrawn(page, { selector: ".jp-RenderedPlotly .js-plotly-plot", count: 1, timeout: 180000 });
  await page.waitForTimeout(4000);
  // bring the first chart into view, with the cell that drew it
  await page.evaluate(() => document.querySelector(".js-plotly-plot")?.closest(".jp-Cell")?.scrollIntoView({ block: "start" }));
  await page.waitForTimeout(2000);
  await page.screenshot({ path: path.join(OUT, "hub-lab.png") });
  console.log(`wrote ${path.join(OUT, "hub-login.png")} and ${path.join(OUT, "hub-lab.png")}`);
} catch (e) {
  console.error(`screenshot failed at: ${step}: ${e.message.split("\n")[0]}`);
  if (page) await page.screenshot({ path: path.join(OUT, "hub-failed.png") }).catch(() => {});
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  const token = fs.existsSync(path.join(state, "admin_token")) ? fs.readFileSync(path.join(state, "admin_token"), "utf8").trim() : null;
  if (token) {
    const h = { Authorization: `token ${token}` };
    await fetch(`${base}/hub/api/users/${USER}/server`, { method: "DELETE", headers: h }).catch(() => {});
    for (let i = 0; i < 60; i++) {
      const u = await fetch(`${base}/hub/api/users/${USER}`, { headers: h }).then((r) => r.json()).catch(() => ({}));
      if (!u.servers || Object.keys(u.servers).length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await fetch(`${base}/hub/api/users/${USER}`, { method: "DELETE", headers: h }).catch(() => {});
  }
  process.kill(-hub.pid, "SIGTERM");
  await new Promise((r) => setTimeout(r, 3000));
  if (process.getuid?.() === 0) spawnSync("userdel", ["--remove", USER], { stdio: "ignore" });
  fs.rmSync(state, { recursive: true, force: true });
}
