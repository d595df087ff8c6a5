#!/usr/bin/env node
// `npm start [-- --no-browser] [-- --port N]`: set up (fast when nothing changed), then open
// JupyterLab from .venv on notebooks/ with the project's tslab kernel.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { JUPYTER, ROOT, UserError, jupyterEnv, log, portFree, runMain, setup, waitForHttp, warn } from "./lib.mjs";

const HELP = `usage: npm start [-- options]
  --no-browser   do not open a browser (automatic on Linux without DISPLAY/WAYLAND_DISPLAY)
  --port N       use port N (default: first free port from 8888); fails if N is busy
  --ip ADDR      address to listen on (default 127.0.0.1)
  --help         this text
Anything after "--" that is not listed here is passed on to jupyter lab, e.g. --ServerApp.xyz=...`;

function parseArgs(argv) {
  const opts = { browser: true, port: null, ip: "127.0.0.1", extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(HELP);
      process.exit(0);
    } else if (a === "--no-browser") opts.browser = false;
    else if (a === "--port" || a.startsWith("--port=")) {
      const v = a.includes("=") ? a.split("=")[1] : argv[++i];
      opts.port = Number(v);
      if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new UserError(`--port ${v} is not a port number`);
    } else if (a === "--ip" || a.startsWith("--ip=")) opts.ip = a.includes("=") ? a.split("=")[1] : argv[++i];
    else opts.extra.push(a);
  }
  return opts;
}

async function choosePort(requested, ip) {
  if (requested) {
    if (!(await portFree(requested, ip))) {
      throw new UserError(
        `port ${requested} is busy (another JupyterLab or program is using it).` +
          `\nStop that program, or pick another port: npm start -- --port ${requested + 1}` +
          `\n(without --port, npm start picks the first free port from 8888 by itself)`,
      );
    }
    return requested;
  }
  for (let p = 8888; p < 8888 + 50; p++) if (await portFree(p, ip)) return p;
  throw new UserError("no free port between 8888 and 8937; stop some servers or use --port N");
}

runMain(async () => {
  const t0 = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  if (opts.browser && process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    log("no DISPLAY on this Linux machine: not opening a browser (same as --no-browser)");
    opts.browser = false;
  }
  setup({ quiet: true });
  const port = await choosePort(opts.port, opts.ip);
  const token = process.env.JUPYTER_TOKEN || randomBytes(24).toString("hex");
  const args = [
    "lab",
    `--ServerApp.root_dir=${path.join(ROOT, "notebooks")}`,
    `--ServerApp.ip=${opts.ip}`,
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--ServerApp.open_browser=${opts.browser ? "True" : "False"}`,
  ];
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--allow-root");
  args.push(...opts.extra);
  log(`starting JupyterLab ${opts.ip}:${port} on notebooks/ ...`);
  const child = spawn(JUPYTER, args, { cwd: ROOT, env: jupyterEnv({ JUPYTER_TOKEN: token }), stdio: ["inherit", "inherit", "inherit"] });
  child.on("error", (e) => {
    console.error(`[mha-lab] could not start ${JUPYTER}: ${e.message}`);
    process.exit(1);
  });
  const host = opts.ip === "0.0.0.0" || opts.ip === "::" ? "localhost" : opts.ip;
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  for (const sig of ["SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  // Ctrl-C reaches jupyter directly (same process group); just don't die before it does.
  process.on("SIGINT", () => {});
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
  await waitForHttp(`${base}/api/status?token=${token}`, child, { name: "jupyter lab" });
  const url = `${base}/lab?token=${token}`;
  console.log(
    `\n[mha-lab] JupyterLab is ready (${((Date.now() - t0) / 1000).toFixed(1)} s). Open:\n\n    ${url}\n\n` +
      `          Start with 00-welcome.ipynb. Stop with Ctrl-C (twice).\n`,
  );
});
