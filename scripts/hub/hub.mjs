#!/usr/bin/env node
// `npm run hub [-- options]`: this machine becomes the workshop server. JupyterHub (from .venv) behind
// configurable-http-proxy (from node_modules); every learner claims a name of their choice with the workshop
// password and a password of their own, and gets their own JupyterLab with the TypeScript kernel and a copy of
// notebooks/. docs/workshop.md is the instructor's guide (and the security model).
// The configuration is scripts/hub/jupyterhub_config.py; this script picks ports, keeps the state dir
// (.hub/ by default: sqlite, cookie secret, proxy token, admin token), starts the hub and prints how to reach it.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ROOT, UserError, VENV_BIN, log, portFree, runMain, setup, waitForHttp, warn } from "../runtime/lib.mjs";

const HELP = `usage: npm run hub [-- options]
  --password PW        the workshop password (at least 12 characters), needed to claim a name; or set
                       MHA_HUB_PASSWORD (better: a command line is visible to every user in the process list).
                       Without either, one is generated and printed.
  --ip ADDR            address to listen on (default 127.0.0.1; --ip 0.0.0.0 serves the local network)
  --port N             port of the hub (default 8000)
  --mem-limit SIZE     hard memory limit per learner, e.g. 3G, 768M (default 3G: room for the chat-model notebook
                       13c, ≈ 1.2 GiB, and another kernel left open; 0 = none). Enforced with a cgroup per learner when running as
                       root, as are the next two.
  --cpu-limit CORES    CPU time per learner, in cores (default 1; 0 = none), e.g. 0.5
  --pids-limit N       processes + threads per learner (default 256; 0 = none; a server running one notebook: ~20)
  --home-limit SIZE    a learner's server does not start while their home holds more than this, and no single
                       file may grow past it (default 1G; 0 = none)
  --cull-idle SECONDS  stop a learner's server after this long without activity (default 3600; 0 = never).
                       Their files stay; logging in again starts a fresh server.
  --state-dir DIR      where the hub keeps its database and secrets (default .hub/)
  --no-system-users    as root, still run every learner as root's own user (no isolation; for trying it out)
  --no-setup           skip the setup check (npm run setup)
  --list-learners      print the system users this hub created (group mha-learners) and exit
  --remove-learners    delete those users and their home folders (after the workshop) and exit
  --help               this text`;

// memLimit: a learner with notebook 13c open (the chat model, kernel peak ≈ 1.0 GiB + the server's ≈ 0.23 GiB) and a
// MiniLM notebook's kernel (≈ 0.7 GiB) left running must fit; docs/workshop.md, "How many learners one box holds". MHA_HUB_MEM_LIMIT carries it to
// jupyterhub_config.py, loadtest.py starts hubs with it.
export const DEFAULTS = { ip: "127.0.0.1", port: 8000, memLimit: "3G", cpuLimit: 1, pidsLimit: 256, homeLimit: "1G", cullIdle: 3600 };
export const MIN_PASSWORD = 12; // scripts/hub/mha_hub.py MIN_PASSWORD: the same rule for each learner's own
const SIZE = /^\d+(\.\d+)?[KMGT]?$/i;

function parseArgs(argv) {
  const o = { ...DEFAULTS, password: process.env.MHA_HUB_PASSWORD || null, passwordOnCommandLine: false, stateDir: path.join(ROOT, ".hub"), systemUsers: "auto", setup: true, action: "run" };
  const value = (i, a) => (a.includes("=") ? [i, a.slice(a.indexOf("=") + 1)] : [i + 1, argv[i + 1]]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.split("=")[0];
    let v;
    if (a === "--help" || a === "-h") {
      console.log(HELP);
      process.exit(0);
    } else if (name === "--password") {
      [i, o.password] = value(i, a);
      o.passwordOnCommandLine = true;
    }
    else if (name === "--ip") [i, o.ip] = value(i, a);
    else if (name === "--port") {
      [i, v] = value(i, a);
      o.port = Number(v);
      if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new UserError(`--port ${v} is not a port number`);
    } else if (name === "--mem-limit") {
      [i, o.memLimit] = value(i, a);
      if (!SIZE.test(o.memLimit ?? "")) throw new UserError(`--mem-limit ${o.memLimit}: use a size such as 1G or 768M (0 = no limit)`);
    } else if (name === "--home-limit") {
      [i, o.homeLimit] = value(i, a);
      if (!SIZE.test(o.homeLimit ?? "")) throw new UserError(`--home-limit ${o.homeLimit}: use a size such as 1G or 500M (0 = no limit)`);
    } else if (name === "--cpu-limit") {
      [i, v] = value(i, a);
      o.cpuLimit = Number(v);
      if (!(v ?? "").trim() || !Number.isFinite(o.cpuLimit) || o.cpuLimit < 0) throw new UserError(`--cpu-limit ${v}: give cores, e.g. 1 or 0.5 (0 = no limit)`);
    } else if (name === "--pids-limit") {
      [i, v] = value(i, a);
      o.pidsLimit = Number(v);
      if (!Number.isInteger(o.pidsLimit) || o.pidsLimit < 0 || (o.pidsLimit > 0 && o.pidsLimit < 32)) throw new UserError(`--pids-limit ${v}: give a whole number of at least 32 (a server running one notebook peaked at 19 here), or 0 = no limit`);
    } else if (name === "--cull-idle") {
      [i, v] = value(i, a);
      o.cullIdle = Number(v);
      if (!Number.isInteger(o.cullIdle) || o.cullIdle < 0) throw new UserError(`--cull-idle ${v}: give whole seconds (0 = never)`);
    } else if (name === "--state-dir") {
      [i, v] = value(i, a);
      o.stateDir = path.resolve(v);
    } else if (a === "--no-system-users") o.systemUsers = "0";
    else if (a === "--no-setup") o.setup = false;
    else if (a === "--list-learners") o.action = "list";
    else if (a === "--remove-learners") o.action = "remove";
    else throw new UserError(`unknown option ${a} (npm run hub -- --help)`);
  }
  return o;
}

async function freePort(preferred) {
  if (preferred && (await portFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A secret kept in the state dir (mode 0600), created on first use. */
function secret(stateDir, name) {
  const f = path.join(stateDir, name);
  if (fs.existsSync(f)) return fs.readFileSync(f, "utf8").trim();
  const value = randomBytes(32).toString("hex");
  fs.writeFileSync(f, value + "\n", { mode: 0o600 });
  return value;
}

function generatedPassword() {
  const letters = "abcdefghijkmnpqrstuvwxyz"; // no l/o: read aloud and typed from a slide
  const group = () => Array.from({ length: 4 }, () => letters[randomInt(letters.length)]).join("");
  return `${group()}-${group()}-${group()}`;
}

function learners() {
  const r = spawnSync("getent", ["group", "mha-learners"], { encoding: "utf8" });
  if (r.status !== 0) return [];
  return (r.stdout.trim().split(":")[3] ?? "").split(",").filter(Boolean);
}

function lanAddresses() {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && a.family === "IPv4" && !a.internal)
    .map((a) => a.address);
}

runMain(async () => {
  const t0 = Date.now();
  const o = parseArgs(process.argv.slice(2));
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

  if (o.action !== "run") {
    const names = learners();
    if (o.action === "list" || names.length === 0) {
      console.log(names.length ? names.join("\n") : "no workshop learners (group mha-learners is empty or missing)");
      return;
    }
    if (!isRoot) throw new UserError("removing system users needs root");
    for (const n of names) {
      const r = spawnSync("userdel", ["--remove", n], { encoding: "utf8" });
      console.log(r.status === 0 ? `removed ${n} and /home/${n}` : `could not remove ${n}: ${r.stderr.trim()}`);
    }
    return;
  }

  if (o.setup) setup({ quiet: true });
  if (!fs.existsSync(path.join(VENV_BIN, "jupyterhub"))) {
    throw new UserError(".venv has no jupyterhub: run npm run setup (requirements.txt pins jupyterhub 6.1.1)");
  }
  const chp = path.join(ROOT, "node_modules", ".bin", "configurable-http-proxy");
  if (!fs.existsSync(chp)) throw new UserError("node_modules has no configurable-http-proxy: run npm ci (package.json pins 5.3.0)");

  let password = o.password;
  const generated = !password;
  if (generated) password = generatedPassword();
  if (password.length < MIN_PASSWORD) {
    throw new UserError(`the workshop password must have at least ${MIN_PASSWORD} characters; the one given (${o.passwordOnCommandLine ? "--password" : "MHA_HUB_PASSWORD"}) has ${password.length}`);
  }
  if (o.passwordOnCommandLine) warn("--password is visible to every user of this machine in the process list while the hub runs; MHA_HUB_PASSWORD keeps it out");

  if (!(await portFree(o.port, o.ip))) {
    throw new UserError(`port ${o.port} is busy (another hub?). Stop it, or pick another: npm run hub -- --port ${o.port + 10}`);
  }
  const hubPort = await freePort(8081);
  const apiPort = await freePort(o.port + 1);

  fs.mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
  const systemUsers = o.systemUsers === "0" ? "0" : isRoot ? "1" : "0";
  if (!isRoot) warn("not running as root: every learner's server runs as you, with no isolation and no memory limit (fine for a rehearsal; run as root for a workshop)");

  const env = {
    ...process.env,
    PATH: [path.dirname(process.execPath), VENV_BIN, process.env.PATH ?? ""].join(path.delimiter),
    MHA_HUB_ROOT: ROOT,
    MHA_HUB_STATE: o.stateDir,
    MHA_HUB_IP: o.ip,
    MHA_HUB_PORT: String(o.port),
    MHA_HUB_HUB_PORT: String(hubPort),
    MHA_HUB_API_PORT: String(apiPort),
    MHA_HUB_PASSWORD: password,
    MHA_HUB_MEM_LIMIT: o.memLimit,
    MHA_HUB_CPU_LIMIT: String(o.cpuLimit),
    MHA_HUB_PIDS_LIMIT: String(o.pidsLimit),
    MHA_HUB_HOME_LIMIT: o.homeLimit,
    MHA_HUB_CULL_IDLE: String(o.cullIdle),
    MHA_HUB_SYSTEM_USERS: systemUsers,
    MHA_HUB_NODE_BIN: path.dirname(process.execPath),
    MHA_HUB_ADMIN_TOKEN: secret(o.stateDir, "admin_token"),
    CONFIGPROXY_AUTH_TOKEN: secret(o.stateDir, "proxy_token"),
  };
  log(`starting JupyterHub on ${o.ip}:${o.port} (state in ${path.relative(ROOT, o.stateDir) || "."}/) ...`);
  const child = spawn(path.join(VENV_BIN, "jupyterhub"), ["-f", path.join(ROOT, "scripts", "hub", "jupyterhub_config.py")], {
    cwd: o.stateDir,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  child.on("error", (e) => {
    console.error(`[mha-lab] could not start jupyterhub: ${e.message}`);
    process.exit(1);
  });
  for (const sig of ["SIGTERM", "SIGHUP", "SIGINT"]) process.on(sig, () => child.kill(sig === "SIGHUP" ? "SIGTERM" : sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

  const local = `http://${o.ip === "0.0.0.0" ? "127.0.0.1" : o.ip}:${o.port}`;
  await waitForHttp(`${local}/hub/api/`, child, { name: "jupyterhub", ok: (status) => status === 200, timeoutMs: 180000, intervalMs: 300 });
  const urls = o.ip === "0.0.0.0" ? lanAddresses().map((a) => `http://${a}:${o.port}/`) : [`${local}/`];
  const homes = systemUsers === "1" ? "/home/<name>/mha-lab/notebooks" : `${path.relative(ROOT, o.stateDir)}/homes/<name>/mha-lab/notebooks`;
  console.log(
    [
      "",
      `[mha-lab] The workshop hub is ready (${((Date.now() - t0) / 1000).toFixed(1)} s). Learners open:`,
      "",
      ...urls.map((u) => `    ${u}`),
      "",
      // the password is printed only when generated: this output often ends up in a log file
      `    workshop password: ${generated ? password + "   (generated; choose one with MHA_HUB_PASSWORD)" : "the one you gave"}`,
      "",
      `          Each learner claims a name of their choice (a-z, 0-9, - or _): the workshop password in the`,
      `          third field, a password of their own (${MIN_PASSWORD}+ characters) in the password field. Later, only`,
      `          their own password opens that name. Their JupyterLab has the course copied to ${homes}.`,
      `          Per learner: memory ${o.memLimit === "0" ? "no limit" : o.memLimit}, CPU ${o.cpuLimit || "no limit"}${o.cpuLimit ? " core(s)" : ""}, ${o.pidsLimit || "no limit of"} processes, home ${o.homeLimit === "0" ? "no limit" : o.homeLimit}${systemUsers === "1" ? "" : " (none enforced without system users)"}; idle servers stop after ${o.cullIdle ? o.cullIdle + " s" : "never"}.`,
      o.ip === "127.0.0.1" ? "          Only this machine can reach it; serve the room with: npm run hub -- --ip 0.0.0.0" : null,
      `          Stop with Ctrl-C: every learner's server stops, their files stay. Afterwards,`,
      `          npm run hub -- --remove-learners deletes the learners' accounts and homes.`,
      "",
    ]
      .filter((l) => l !== null)
      .join("\n") + "\n",
  );
});
