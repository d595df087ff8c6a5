"""The workshop hub's load test: N simulated learners at once, each running a notebook on their own kernel.

    npm run hub:loadtest -- --users N [--notebook notebooks/04-many-heads.ipynb] [--url URL] --out report.json

Without --url it starts its own hub (scripts/hub/hub.mjs on a free port, a throw-away state dir under .hub/,
a random password) and stops it at the end. Each learner is a separate process (the client side of a learner's
laptop), released at the same moment. Each one:
  1. claims its name through the hub's real login form (GET /hub/login for the _xsrf field, POST username, a
     password of its own and the workshop password in the third field, "otp"),
  2. asks the hub's REST API for a token (POST /hub/api/users/NAME/tokens) and starts its server
     (POST /hub/api/users/NAME/server), polling GET /hub/api/users/NAME until the server is ready,
  3. runs the notebook with nbclient on a kernel in its own server, reached through the hub's proxy with
     jupyter_server's gateway client (GatewayKernelManager: REST to start the kernel, websocket for the channels),
  4. checks that every code cell ran without error or stderr and that every cell that calls show(...) returned
     an application/vnd.plotly.v1+json output.
Meanwhile this process samples, every second, the RSS and CPU time of each learner's server and kernel (psutil)
and the load average. At the end every test server is stopped and every test user deleted, from the hub and from
the system. The report's top level: users, completed, failed, login_to_ready_s / run_all_s / slowest_cell_s
(p50, p95, max), memory_per_learner_mb, cpu_s_per_learner, loadavg, then per-learner details.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CHART_MIME = "application/vnd.plotly.v1+json"
SHOW_CALL = re.compile(r"(^|[^\w.])show\(", re.M)


# ================================================================ one learner (a worker process)


def worker(args) -> int:
    # Generous timeouts: 30 kernels starting on 2 cores take minutes, and that is what we measure.
    os.environ.setdefault("KERNEL_LAUNCH_TIMEOUT", "900")
    import asyncio

    import nbformat
    import requests
    from jupyter_server.gateway.gateway_client import GatewayClient
    from jupyter_server.gateway.managers import GatewayKernelManager
    from nbclient import NotebookClient

    name, url = args.user, args.url.rstrip("/")
    out = {"user": name, "ok": False, "stage": "login"}
    print("ready", flush=True)  # imports done: wait for the orchestrator's "go" so all learners start together
    sys.stdin.readline()
    t0 = time.monotonic()
    try:
        # 1) the login form
        s = requests.Session()
        r = s.get(f"{url}/hub/login", timeout=300)
        r.raise_for_status()
        m = re.search(r'name="_xsrf"\s+value="([^"]+)"', r.text)
        own = "own-" + secrets.token_urlsafe(16)  # the name's own password; the workshop password claims the name
        form = {"username": name, "password": own, "otp": os.environ["MHA_LOADTEST_PASSWORD"]}
        if m:
            form["_xsrf"] = m.group(1)
        r = s.post(f"{url}/hub/login", data=form, allow_redirects=False, timeout=300)
        if r.status_code != 302 or "jupyterhub-hub-login" not in s.cookies:
            raise RuntimeError(f"login as {name} failed: HTTP {r.status_code} {r.text[:200]!r}")
        out["login_s"] = time.monotonic() - t0
        # 2) REST API: a token, then the server
        out["stage"] = "token"
        r = s.post(f"{url}/hub/api/users/{name}/tokens", json={"note": "mha-lab loadtest", "expires_in": 7200},
                   headers={"X-XSRFToken": s.cookies.get("_xsrf", "")}, timeout=300)
        r.raise_for_status()
        token = r.json()["token"]
        auth = {"Authorization": f"token {token}"}
        out["stage"] = "spawn"
        r = requests.post(f"{url}/hub/api/users/{name}/server", headers=auth, timeout=300)
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"starting the server failed: HTTP {r.status_code} {r.text[:200]!r}")
        deadline = time.monotonic() + args.spawn_timeout
        while True:
            info = requests.get(f"{url}/hub/api/users/{name}", headers=auth, timeout=300).json()
            srv = info.get("servers", {}).get("")
            if srv and srv.get("ready"):
                break
            if not srv and not info.get("pending") and time.monotonic() - t0 > 10:
                raise RuntimeError(f"the server stopped before it was ready: {info}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after {args.spawn_timeout} s")
            time.sleep(0.5)
        base = f"{url}/user/{name}"
        requests.get(f"{base}/api/status", headers=auth, timeout=300).raise_for_status()  # the proxy's route works
        out["login_to_ready_s"] = time.monotonic() - t0

        # 3) the notebook, on a kernel in that server, through the proxy
        out["stage"] = "kernel"
        GatewayClient.instance(url=base, auth_token=token, request_timeout=900.0, connect_timeout=300.0)
        _authenticate_kernel_websocket(token)
        class HubKernelManager(GatewayKernelManager):
            # jupyter_client's wait_for_ready asks the manager's _async_is_alive when a kernel_info reply takes
            # over 1 s (a loaded box); the base version asserts a local provisioner, which a remote kernel never
            # has. Ask the server instead, as GatewayKernelManager.is_alive does (GET /api/kernels/ID).
            async def _async_is_alive(self):
                return await self.is_alive()

        km = HubKernelManager(kernel_name="tslab")
        nb = nbformat.read(args.notebook, as_version=4)
        client = NotebookClient(nb, km=km, kernel_name="tslab", timeout=args.cell_timeout, startup_timeout=900,
                                allow_errors=True, record_timing=True)

        cell_seconds = {}

        async def run_all():
            t_run = time.monotonic()
            # GatewayKernelManager.start_kernel reads the kernel name from its kwargs, not from the manager
            try:
                async with client.async_setup_kernel(kernel_name="tslab"):
                    out["kernel_start_s"] = time.monotonic() - t_run
                    out["stage"] = "run"
                    msg_id = client.kc.kernel_info()  # as NotebookClient.async_execute does
                    await client.async_wait_for_reply(msg_id)
                    for index, cell in enumerate(client.nb.cells):
                        t_cell = time.monotonic()
                        await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                        cell_seconds[index] = time.monotonic() - t_cell  # request sent -> reply and idle status
                out["run_all_s"] = time.monotonic() - t_run
            finally:
                if client.kc is not None and client.kc.channel_socket is not None:
                    client.kc.stop_channels()  # its response-router thread would keep this process alive
                if km.has_kernel:
                    await km.shutdown_kernel()

        asyncio.run(run_all())

        # 4) every cell ran, every chart arrived
        out["stage"] = "check"
        cells, problems, charts, expected_charts = [], [], 0, 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            secs = cell_seconds.get(index)
            n_charts = sum(1 for o in cell.outputs if o.get("output_type") in ("display_data", "execute_result") and CHART_MIME in o.get("data", {}))
            charts += n_charts
            wants_chart = bool(SHOW_CALL.search(cell.source))
            expected_charts += wants_chart
            cells.append({"index": index, "seconds": secs, "charts": n_charts, "first_line": cell.source.split("\n")[0][:80]})
            if cell.execution_count is None:
                problems.append(f"cell {index} did not run")
            for o in cell.outputs:
                if o.get("output_type") == "error":
                    problems.append(f"cell {index} raised {o.get('ename')}: {o.get('evalue', '')[:200]}")
                if o.get("output_type") == "stream" and o.get("name") == "stderr":
                    problems.append(f"cell {index} wrote to stderr: {o.get('text', '')[:200]!r}")
            if wants_chart and n_charts == 0:
                problems.append(f"cell {index} calls show(...) but no {CHART_MIME} output arrived")
        slowest = max(cells, key=lambda c: c["seconds"] or 0)
        out.update(code_cells=len(cells), charts=charts, cells_with_show=expected_charts, slowest_cell=slowest,
                   cells=cells, problems=problems, ok=not problems)
        out["stage"] = "done"
    except Exception as e:  # reported, not raised: one failed learner must not hide the others
        out["error"] = f"{type(e).__name__}: {e}"[:1000]
        import traceback

        traceback.print_exc(file=sys.stderr)
    out["total_s"] = time.monotonic() - t0
    print("RESULT " + json.dumps(out), flush=True)
    sys.stderr.flush()
    os._exit(0)  # no lingering client thread may keep a finished learner alive


def _authenticate_kernel_websocket(token: str) -> None:
    """jupyter_server's GatewayKernelClient opens the kernel's websocket without the Authorization header its
    REST calls carry (a Kernel Gateway often needs none; a JupyterHub user's server does). Give it the header:
    the one change to Jupyter's client, everything else (protocol, channels, message routing) is theirs."""
    import functools

    import websocket
    from jupyter_server.gateway import managers

    class _WebsocketWithAuth:
        def __getattr__(self, name):
            return getattr(websocket, name)

        create_connection = staticmethod(functools.partial(websocket.create_connection, header=[f"Authorization: token {token}"]))

    managers.websocket = _WebsocketWithAuth()


# ================================================================ the orchestrator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vmhwm_bytes(pid: int) -> int | None:
    """A process's peak resident set (VmHWM in /proc/PID/status), bytes; None when it is gone or unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_peak_bytes(pid: int) -> int | None:
    """The peak usage of the learner's memory cgroup PID is in (v1 memory.max_usage_in_bytes, v2 memory.peak), bytes;
    None when PID is in no learner cgroup (mha-lab-hub/NAME: a hub not run as root has none)."""
    try:
        for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
            num, ctl, rel = line.split(":", 2)
            if "/mha-lab-hub/" not in rel:
                continue
            if ctl == "memory":  # v1
                return int((Path("/sys/fs/cgroup/memory") / rel.lstrip("/") / "memory.max_usage_in_bytes").read_text())
            if num == "0" and ctl == "" and rel != "/":  # v2 (memory.peak: Linux >= 5.19)
                f = Path("/sys/fs/cgroup") / rel.lstrip("/") / "memory.peak"
                if f.exists():
                    return int(f.read_text())
    except (OSError, ValueError):
        return None
    return None


class Sampler(threading.Thread):
    """Every `every` s: load average, and RSS / CPU time of each learner's server and kernel processes."""

    def __init__(self, users, every=1.0):
        super().__init__(daemon=True)
        self.users, self.every = set(users), every
        self.stop_event = threading.Event()
        self.loadavg = []  # (t, 1-min)
        # peak RSS sampled every `every` s (server, kernel, both at once); the processes' own peaks from the kernel
        # (VmHWM, exact: no sample can miss them); the learner's memory cgroup's peak usage (what --mem-limit counts:
        # RSS + page cache + kernel memory; v1 memory.max_usage_in_bytes, v2 memory.peak)
        self.peak = {u: {"server_mb": 0.0, "kernel_mb": 0.0, "total_mb": 0.0, "server_hwm_mb": 0.0, "kernel_hwm_mb": 0.0,
                         "cgroup_peak_mb": None} for u in users}
        self._hwm = {u: {} for u in users}  # user -> pid -> (kind, VmHWM bytes)
        self.cpu = {u: {} for u in users}  # user -> pid -> (kind, cpu seconds)

    def run(self):
        import psutil

        t0 = time.monotonic()
        while not self.stop_event.is_set():
            self.loadavg.append((round(time.monotonic() - t0, 1), os.getloadavg()[0]))
            for p in psutil.process_iter(["cmdline"]):
                try:
                    cmd = " ".join(p.info["cmdline"] or [])
                    if "jupyterhub-singleuser" not in cmd and "jupyterhub.singleuser" not in cmd:
                        continue
                    user = p.environ().get("JUPYTERHUB_USER")
                    if user not in self.users:
                        continue
                    rss = {"server": 0, "kernel": 0}
                    for q in [p, *p.children(recursive=True)]:
                        kind = "kernel" if "tslab" in " ".join(q.cmdline()) else "server"
                        rss[kind] += q.memory_info().rss
                        t = q.cpu_times()
                        self.cpu[user][q.pid] = (kind, t.user + t.system)
                        hwm = _vmhwm_bytes(q.pid)
                        if hwm is not None:
                            self._hwm[user][q.pid] = (kind, hwm)
                    pk = self.peak[user]
                    pk["server_mb"] = max(pk["server_mb"], rss["server"] / 2**20)
                    pk["kernel_mb"] = max(pk["kernel_mb"], rss["kernel"] / 2**20)
                    pk["total_mb"] = max(pk["total_mb"], (rss["server"] + rss["kernel"]) / 2**20)
                    for kind in ("server", "kernel"):  # each process's own peak, summed per kind (an upper bound)
                        pk[f"{kind}_hwm_mb"] = sum(b for k, b in self._hwm[user].values() if k == kind) / 2**20
                    cg = _cgroup_peak_bytes(p.pid)
                    if cg is not None:
                        pk["cgroup_peak_mb"] = max(pk["cgroup_peak_mb"] or 0.0, cg / 2**20)
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
            self.stop_event.wait(self.every)

    def cpu_seconds(self, user):
        by_kind = {"server": 0.0, "kernel": 0.0}
        for kind, secs in self.cpu[user].values():
            by_kind[kind] += secs
        return by_kind


def pct(values, q):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return round(values[lo] + (values[hi] - values[lo]) * (k - lo), 3)


def summary(values):
    return {"p50": pct(values, 0.5), "p95": pct(values, 0.95), "max": pct(values, 1.0)}


def start_hub(args, state_dir: Path):
    port = free_port()
    password = "lt-" + secrets.token_hex(8)
    # The hub's log: mode 0600 (created so, whatever the umask), and the password never in it nor on a command
    # line (hub.mjs prints only a generated password; the environment of a root process is root's to read).
    log_path = state_dir.parent / f"{state_dir.name}.log"
    log = os.fdopen(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600), "w")
    os.chmod(log_path, 0o600)
    cmd = ["node", str(ROOT / "scripts" / "hub" / "hub.mjs"), "--no-setup", "--port", str(port),
           "--state-dir", str(state_dir), "--cull-idle", "0", "--mem-limit", args.mem_limit]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "MHA_HUB_PASSWORD": password})
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the hub exited with {proc.returncode}; its log: {log_path}")
        try:
            if requests.get(f"{url}/hub/api/", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.3)
    else:
        raise SystemExit(f"the hub did not answer within 180 s; its log: {log_path}")
    token = (state_dir / "admin_token").read_text().strip()
    return proc, url, password, token, str(log_path)


def stop_hub(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # hub.mjs forwards it; JupyterHub stops every server and the proxy
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def cleanup(url, token, users, log):
    """Stops every test server, deletes every test user from the hub, then their system accounts."""
    import requests

    h = {"Authorization": f"token {token}"}
    removed = {"servers_stopped": 0, "hub_users_deleted": 0, "system_users_deleted": 0, "errors": []}
    for u in users:
        try:
            r = requests.delete(f"{url}/hub/api/users/{u}/server", headers=h, timeout=120)
            if r.status_code in (202, 204):
                removed["servers_stopped"] += 1
        except requests.RequestException as e:
            removed["errors"].append(f"stop {u}: {e}")
    for u in users:
        for _ in range(240):  # the stop is asynchronous (202): the user can only be deleted once it is done
            try:
                info = requests.get(f"{url}/hub/api/users/{u}", headers=h, timeout=30)
            except requests.RequestException:
                break
            if info.status_code == 404 or (not info.json().get("servers") and not info.json().get("pending")):
                break
            time.sleep(0.5)
        try:
            r = requests.delete(f"{url}/hub/api/users/{u}", headers=h, timeout=120)
            if r.status_code == 204:
                removed["hub_users_deleted"] += 1
            elif r.status_code != 404:
                removed["errors"].append(f"delete {u}: HTTP {r.status_code} {r.text[:200]}")
        except requests.RequestException as e:
            removed["errors"].append(f"delete {u}: {e}")
    if os.geteuid() == 0:
        sys.path.insert(0, str(ROOT / "scripts" / "hub"))
        import mha_hub

        for u in users:
            if mha_hub.is_learner_account(u):  # only accounts the hub created for the workshop group
                for _ in range(20):
                    r = subprocess.run(["userdel", "--remove", u], capture_output=True, text=True)
                    if r.returncode == 0:
                        removed["system_users_deleted"] += 1
                        break
                    time.sleep(0.5)  # "user is currently used by process": its server is still exiting
                else:
                    removed["errors"].append(f"userdel {u}: {r.stderr.strip()}")
    return removed


def cleanup_cgroups(users) -> None:
    """A server that died on its own (OOM) may leave its memory cgroup behind: remove the test learners' ones."""
    if os.geteuid() != 0:
        return
    sys.path.insert(0, str(ROOT / "scripts" / "hub"))
    import mha_hub

    cgroups = mha_hub.LearnerCgroups()
    for u in users:
        cgroups.kill_all(u)
        cgroups.remove(u)


OOM_LINE = re.compile(r"OOM-KILL learner=(\S+) kills=(\d+)")


def oom_kills_in_log(log_path: str, users) -> dict:
    """{learner: processes the kernel OOM-killed in their memory cgroup}, from the lines WorkshopSpawner.stop logs."""
    found = {u: 0 for u in users}
    try:
        text = Path(log_path).read_text(errors="replace")
    except OSError:
        return found
    for name, n in OOM_LINE.findall(text):
        if name in found:
            found[name] += int(n)
    return found


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="npm run hub:loadtest --", description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=2)
    ap.add_argument("--notebook", default="notebooks/04-many-heads.ipynb")
    ap.add_argument("--url", help="a running hub (default: start one on a free port)")
    ap.add_argument("--password", default=os.environ.get("MHA_HUB_PASSWORD"), help="that hub's password (or MHA_HUB_PASSWORD)")
    ap.add_argument("--token", default=os.environ.get("MHA_HUB_ADMIN_TOKEN"),
                    help="an admin API token of that hub, for the clean-up (default: .hub/admin_token)")
    ap.add_argument("--mem-limit", default="3G", help="per-learner memory limit of the hub it starts (default 3G, the hub's)")
    ap.add_argument("--out", default="build/hub-loadtest.json")
    ap.add_argument("--prefix", default=None, help="test user names are PREFIX-1 … PREFIX-N (default lt<pid>)")
    ap.add_argument("--spawn-timeout", type=float, default=900)
    ap.add_argument("--cell-timeout", type=float, default=600)
    ap.add_argument("--keep", action="store_true", help="do not stop the servers or remove the users")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--user", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args)

    nb_path = (ROOT / args.notebook) if not os.path.isabs(args.notebook) else Path(args.notebook)
    if not nb_path.exists():
        raise SystemExit(f"--notebook {args.notebook}: no such file")
    if args.users < 1:
        raise SystemExit("--users must be at least 1")
    prefix = args.prefix or f"lt{os.getpid()}"
    users = [f"{prefix}-{i + 1}" for i in range(args.users)]

    hub = None
    state_dir = ROOT / ".hub" / f"loadtest-{os.getpid()}"
    if args.url:
        url, password, token, hub_log = args.url.rstrip("/"), args.password, args.token, None
        if not token and (ROOT / ".hub" / "admin_token").exists():
            token = (ROOT / ".hub" / "admin_token").read_text().strip()
        if not password:
            raise SystemExit("--url needs the hub's password: --password PW or MHA_HUB_PASSWORD")
    else:
        state_dir.mkdir(parents=True, exist_ok=True)
        print(f"[loadtest] starting a hub (state {state_dir.relative_to(ROOT)}) ...", flush=True)
        hub, url, password, token, hub_log = start_hub(args, state_dir)
    print(f"[loadtest] hub {url}: {args.users} learners, {nb_path.relative_to(ROOT) if nb_path.is_relative_to(ROOT) else nb_path}", flush=True)

    load_before = os.getloadavg()
    sampler = Sampler(users)
    procs = []
    results = []
    stderr_tail = {}
    t_start = time.monotonic()
    wall = None
    try:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "MHA_LOADTEST_PASSWORD": password}  # not in argv: ps shows argv
        for u in users:
            procs.append(subprocess.Popen(
                [sys.executable, __file__, "--worker", "--url", url, "--user", u, "--notebook", str(nb_path),
                 "--spawn-timeout", str(args.spawn_timeout), "--cell-timeout", str(args.cell_timeout)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
        for p in procs:  # every worker has imported its libraries
            line = p.stdout.readline()
            if line.strip() != "ready":
                raise SystemExit(f"a worker did not start: {line!r} {p.stderr.read()[-2000:]}")
        sampler.start()
        t_start = time.monotonic()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()

        def collect(u, p):
            out, err = p.communicate()
            line = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
            r = json.loads(line[-1][7:]) if line else {"user": u, "ok": False, "error": f"worker exited {p.returncode} without a result"}
            if not r.get("ok"):
                stderr_tail[u] = err[-3000:]
            results.append(r)

        threads = [threading.Thread(target=collect, args=(u, p)) for u, p in zip(users, procs)]
        for t in threads:
            t.start()
        done = 0
        while any(t.is_alive() for t in threads):
            time.sleep(5)
            if len(results) != done:
                done = len(results)
                print(f"[loadtest] {done}/{len(users)} learners finished ({time.monotonic() - t_start:.0f} s, load {os.getloadavg()[0]:.1f})", flush=True)
        wall = time.monotonic() - t_start
    finally:
        sampler.stop_event.set()
        for p in procs:
            if p.poll() is None:
                p.kill()
        removed = None
        if not args.keep and token:
            print("[loadtest] cleaning up: stopping servers, deleting test users ...", flush=True)
            removed = cleanup(url, token, users, None)
        if hub:
            stop_hub(hub)
        if not args.keep:
            cleanup_cgroups(users)  # after the hub has stopped: nothing can start a server of theirs again
        oom_kills = oom_kills_in_log(hub_log, users) if hub_log else None
        if hub:
            import shutil

            shutil.rmtree(state_dir, ignore_errors=True)

    by_user = {r["user"]: r for r in results}
    ok = [r for r in results if r.get("ok")]
    # per-learner figures over the learners who completed the notebook (a failed one stopped early)
    done_users = [r["user"] for r in ok]
    mem = [sampler.peak[u] for u in done_users if sampler.peak[u]["total_mb"] > 0]
    cpu_all = {u: sampler.cpu_seconds(u) for u in users}
    cpu = {u: cpu_all[u] for u in done_users}
    loads = [v for _, v in sampler.loadavg]
    report = {
        "users": args.users,
        "completed": len(ok),
        "failed": args.users - len(ok),
        "notebook": str(nb_path.relative_to(ROOT)) if nb_path.is_relative_to(ROOT) else str(nb_path),
        "login_to_ready_s": summary([r.get("login_to_ready_s") for r in ok]),
        "run_all_s": summary([r.get("run_all_s") for r in ok]),
        "slowest_cell_s": {**summary([r["slowest_cell"]["seconds"] for r in ok]),
                           "cell": (max(ok, key=lambda r: r["slowest_cell"]["seconds"] or 0)["slowest_cell"]["first_line"] if ok else None)},
        "kernel_start_s": summary([r.get("kernel_start_s") for r in ok]),
        "memory_per_learner_mb": {
            "server_and_kernel_peak": summary([m["total_mb"] for m in mem]),
            "server_peak": summary([m["server_mb"] for m in mem]),
            "kernel_peak": summary([m["kernel_mb"] for m in mem]),
            "server_vmhwm": summary([m["server_hwm_mb"] for m in mem]),
            "kernel_vmhwm": summary([m["kernel_hwm_mb"] for m in mem]),
            "cgroup_peak": summary([m["cgroup_peak_mb"] for m in mem if m["cgroup_peak_mb"] is not None]),
            "measured": "peak RSS of each completed learner's jupyterhub-singleuser process tree (server, and the tslab kernel under it), sampled every 1 s with psutil; "
                        "*_vmhwm: each process's own peak resident set (/proc/PID/status VmHWM), summed per kind; "
                        "cgroup_peak: the learner's memory cgroup's peak usage (RSS + page cache + kernel memory: what --mem-limit counts)",
        },
        "cpu_s_per_learner": {
            "server_and_kernel": summary([c["server"] + c["kernel"] for c in cpu.values() if c["server"] + c["kernel"] > 0]),
            "server": summary([c["server"] for c in cpu.values() if c["server"] > 0]),
            "kernel": summary([c["kernel"] for c in cpu.values() if c["kernel"] > 0]),
        },
        "loadavg": {
            "before_1min": round(load_before[0], 2),
            "during_mean_1min": round(statistics.mean(loads), 2) if loads else None,
            "during_max_1min": round(max(loads), 2) if loads else None,
            "cpus": os.cpu_count(),
        },
        "wall_s": round(wall, 1) if wall else None,
        "charts_per_learner": sorted({r.get("charts") for r in ok}),
        "cleanup": removed,
        # from the hub's log (WorkshopSpawner.stop: the learner's memory cgroup counted an oom_kill); None with --url
        "oom_kills": oom_kills,
        "hub": {"url": url, "started_by_loadtest": hub is not None, "log": hub_log},
        "errors": {u: {"stage": r.get("stage"), "error": r.get("error"), "problems": r.get("problems"), "stderr": stderr_tail.get(u)}
                   for u, r in by_user.items() if not r.get("ok")},
        "learners": [{k: by_user.get(u, {}).get(k) for k in ("user", "ok", "login_to_ready_s", "kernel_start_s", "run_all_s", "charts", "code_cells")}
                     | {"memory_mb": sampler.peak[u], "cpu_s": cpu_all[u]} for u in users],
    }
    out = Path(args.out)
    if not out.is_absolute():
        out = ROOT / out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("users", "completed", "failed", "login_to_ready_s", "run_all_s", "slowest_cell_s", "loadavg")}, indent=1))
    if hub and report["failed"] == 0 and removed and not removed["errors"]:
        Path(hub_log).unlink(missing_ok=True)  # the hub's log is kept only when something went wrong
    print(f"[loadtest] report: {out}  ({report['completed']}/{report['users']} completed, {report['wall_s']} s)")
    return 0 if report["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
