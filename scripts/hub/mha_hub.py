"""The pieces of mha-lab's workshop hub that JupyterHub does not ship: imported by jupyterhub_config.py.

Security model (docs/workshop.md says it in plain words): the hub runs as root, and never acts as root on a path
a learner controls. Root only writes under /sys/fs/cgroup, the state dir and the project; everything inside a
learner's home is done by a process running as that learner.

- WorkshopAuthenticator: jupyterhub-firstuseauthenticator (a name belongs to whoever claimed it first, with a
  password of their own) where claiming a name also needs the workshop password; LocalAuthenticator creates a
  system user on first login (root only). Names of accounts or groups that are not learners are refused with a
  message; failed logins are throttled (LoginThrottle).
- WorkshopSpawner: LocalProcessSpawner (each learner's server runs as that learner's system user) inside a cgroup
  of its own with memory, pids and CPU limits (LocalProcessSpawner itself enforces none), RLIMIT_FSIZE, and a
  home size check before each start.
- HomeSpawner: SimpleLocalProcessSpawner for a non-root run (no isolation: every learner is the hub's user).
- copy_course(): the pre-spawn hook giving each learner their own copy of notebooks/, written by course_copy.py
  running as the learner.
"""

from __future__ import annotations

import asyncio
import dbm
import grp
import hmac
import inspect
import json
import math
import os
import pwd
import resource
import stat
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
from firstuseauthenticator import FirstUseAuthenticator
from firstuseauthenticator.firstuseauthenticator import CustomLoginHandler
from jupyterhub.auth import LocalAuthenticator
from jupyterhub.handlers.login import LoginHandler
from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner
from jupyterhub.traitlets import ByteSpecification
from tornado import web
from traitlets import Bool, Integer, Unicode, default

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import course_copy  # noqa: E402  (the learner-side copy; as root it runs as the learner, from its text)

LEARNERS_GROUP = "mha-learners"
COURSE_DIR = "mha-lab"  # inside each learner's home: ~/mha-lab/notebooks
# Entries of the project that sit next to the notebooks copy, as symlinks, so that `import … from "mha-lab"`
# resolves (node walks up to ~/mha-lab/node_modules -> the project's node_modules) and relative fixture paths
# such as ../test/fixtures/... keep working. They are read-only for learners (owned by root).
MIRRORED = ["node_modules", "test"]


# ---------------------------------------------------------------- limits: cgroups


def _own_cgroup(controller: str) -> tuple[str, Path] | None:
    """('v1'|'v2', the directory of this process's cgroup for `controller`), or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, ctrls, rel = line.split(":", 2)
        if controller in ctrls.split(","):
            d = Path("/sys/fs/cgroup", controller, rel.lstrip("/"))
            if d.is_dir():
                return "v1", d
    for line in lines:
        if line.startswith("0::"):
            base = Path("/sys/fs/cgroup/unified") if Path("/sys/fs/cgroup/unified").is_dir() else Path("/sys/fs/cgroup")
            d = base / line[3:].lstrip("/")
            if (d / "cgroup.controllers").exists() and controller in (d / "cgroup.controllers").read_text().split():
                return "v2", d
    return None


CPU_PERIOD_US = 100_000


class LearnerCgroups:
    """One cgroup per learner with its memory, pids and CPU limits: <hub's cgroup>/mha-lab-hub/<name>.

    cgroup v1 has a hierarchy per controller, so "the learner's cgroup" is the same path in each of them
    (memory/…/mha-lab-hub/NAME, pids/…, cpu/…) and the server joins all of them; cgroup v2 has one directory with
    all three controllers enabled. Files written (all under /sys/fs/cgroup, never in a learner's home):
      memory  v1 memory.limit_in_bytes (+ memory.memsw.limit_in_bytes, so swap cannot dodge it); v2 memory.max,
              memory.swap.max = 0. The kernel OOM-kills inside the cgroup only: that learner's kernel or server.
      pids    pids.max (v1 and v2): processes + threads of the learner's server and everything it starts.
      cpu     v1 cpu.cfs_quota_us / cpu.cfs_period_us; v2 cpu.max "QUOTA PERIOD": at most `cpus` cores' time.
    """

    CONTROLLERS = ("memory", "pids", "cpu")

    def __init__(self, controllers=CONTROLLERS):
        self.bases: dict[str, tuple[str, Path]] = {}  # controller -> (kind, <its cgroup>/mha-lab-hub)
        self.errors: dict[str, str] = {}
        for ctl in controllers:
            found = _own_cgroup(ctl)
            if not found:
                self.errors[ctl] = f"no {ctl} cgroup controller found in /proc/self/cgroup"
                continue
            kind, parent = found
            base = parent / "mha-lab-hub"
            try:
                base.mkdir(exist_ok=True)
                if kind == "v2":  # a v2 child only gets a controller its parent hands down
                    (parent / "cgroup.subtree_control").write_text(f"+{ctl}")
                    (base / "cgroup.subtree_control").write_text(f"+{ctl}")
            except OSError as e:
                self.errors[ctl] = f"cannot create {base} with the {ctl} controller: {e}"
                continue
            self.bases[ctl] = (kind, base)

    @property
    def ok(self) -> bool:
        return "memory" in self.bases

    @property
    def error(self) -> str | None:
        return "; ".join(self.errors.values()) or None

    def dirs(self, name: str) -> dict[str, tuple[str, Path]]:
        return {ctl: (kind, base / name) for ctl, (kind, base) in self.bases.items()}

    def prepare(self, name: str, memory: int = 0, pids: int = 0, cpus: float = 0) -> list[Path]:
        """Creates the learner's cgroup(s) with these limits (0 = none); returns the cgroup.procs files to join."""
        procs = []
        for ctl, (kind, d) in self.dirs(name).items():
            d.mkdir(exist_ok=True)
            if ctl == "memory" and memory:
                if kind == "v1":
                    (d / "memory.limit_in_bytes").write_text(str(memory))
                    _try_write(d / "memory.memsw.limit_in_bytes", str(memory))
                else:
                    (d / "memory.max").write_text(str(memory))
                    _try_write(d / "memory.swap.max", "0")
            elif ctl == "pids" and pids:
                (d / "pids.max").write_text(str(pids))
            elif ctl == "cpu" and cpus:
                quota = max(1000, int(cpus * CPU_PERIOD_US))
                if kind == "v1":
                    (d / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
                    (d / "cpu.cfs_quota_us").write_text(str(quota))
                else:
                    (d / "cpu.max").write_text(f"{quota} {CPU_PERIOD_US}")
            if d / "cgroup.procs" not in procs:
                procs.append(d / "cgroup.procs")
        return procs

    def oom_kills(self, name: str) -> int | None:
        """How many processes the kernel killed for memory in the learner's cgroup (None: unknown)."""
        kind, d = self.dirs(name).get("memory", (None, None))
        if d is None:
            return None
        return _counter(d / ("memory.oom_control" if kind == "v1" else "memory.events"), "oom_kill")

    def usage(self, name: str) -> dict | None:
        kind, d = self.dirs(name).get("memory", (None, None))
        if not d or not d.is_dir():
            return None
        if kind == "v1":
            read = lambda f: int((d / f).read_text())
            return {"usage": read("memory.usage_in_bytes"), "peak": read("memory.max_usage_in_bytes"),
                    "limit": read("memory.limit_in_bytes"), "oom_kills": self.oom_kills(name)}
        peak = d / "memory.peak"
        return {"usage": int((d / "memory.current").read_text()),
                "peak": int(peak.read_text()) if peak.exists() else None,
                "limit": (d / "memory.max").read_text().strip(), "oom_kills": self.oom_kills(name)}

    def kill_all(self, name: str) -> int:
        """SIGKILLs whatever is left in the learner's cgroups (a kernel orphaned by its server); returns how many."""
        pids = set()
        for _, d in self.dirs(name).values():
            try:
                pids.update(int(p) for p in (d / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                pass
        n = 0
        for pid in pids:
            try:
                os.kill(pid, 9)
                n += 1
            except ProcessLookupError:
                pass
        return n

    def remove(self, name: str) -> None:
        for _, d in self.dirs(name).values():
            for _ in range(20):
                try:
                    d.rmdir()  # only succeeds once every process in it has exited
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.25)


def _try_write(f: Path, value: str) -> None:
    try:
        f.write_text(value)
    except OSError:
        pass  # optional file (no swap accounting): the main limit is set


def _counter(f: Path, key: str) -> int | None:
    """The value of `key` in a flat-keyed cgroup file such as memory.events (v2) or memory.oom_control (v1)."""
    try:
        for line in f.read_text().splitlines():
            k, _, v = line.partition(" ")
            if k == key:
                return int(v)
    except OSError:
        pass
    return None


# ---------------------------------------------------------------- the Python a learner's server runs on


def _as_nobody():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


def runs_as_other_user(cmd: list[str]) -> bool:
    """True when an unprivileged user (nobody) can run `cmd` (as root; as non-root: runs it as ourselves)."""
    try:
        r = subprocess.run(cmd, preexec_fn=_as_nobody if os.geteuid() == 0 else None, capture_output=True, timeout=120, cwd="/")
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0


def _venv_version(venv: Path) -> str:
    for line in (venv / "pyvenv.cfg").read_text().splitlines():
        k, _, v = line.partition("=")
        if k.strip() in ("version", "version_info"):
            return ".".join(v.strip().split(".")[:2])
    raise RuntimeError(f"{venv / 'pyvenv.cfg'} names no Python version")


def learner_python(venv: Path, shim: Path, candidates: list[str]) -> tuple[Path, str]:
    """The Python each learner's server runs on, and how it was chosen.

    Normally .venv/bin/python itself. When the learners cannot run it -- e.g. .venv was made by a Python under
    /root (pyenv), which other users cannot enter -- a shim environment is made in `shim` (.hub/learner-python) from a
    Python they can run, of the same minor version, with no packages of its own: a .pth file adds .venv's
    site-packages (readable by everyone), so the learners run exactly the pinned packages of .venv.
    """
    probe = "import jupyterhub.singleuser, jupyterlab, plotly"
    if runs_as_other_user([str(venv / "bin" / "python"), "-c", probe]):
        return venv / "bin" / "python", ".venv/bin/python"
    want = _venv_version(venv)
    site = venv / "lib" / f"python{want}" / "site-packages"
    if runs_as_other_user([str(shim / "bin" / "python"), "-c", probe]):
        return shim / "bin" / "python", f"{shim} (.venv's site-packages on a Python every user can run)"
    tried = []
    for cand in candidates:
        if not cand or not Path(cand).exists():
            continue
        r = subprocess.run([cand, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True)
        if r.returncode != 0 or r.stdout.strip() != want:
            tried.append(f"{cand} (Python {r.stdout.strip() or '?'})")
            continue
        if not runs_as_other_user([cand, "-c", "pass"]):
            tried.append(f"{cand} (not runnable by other users)")
            continue
        subprocess.run([cand, "-m", "venv", "--without-pip", "--clear", str(shim)], check=True, capture_output=True)
        shim.parent.chmod(0o711)  # others may pass through .hub/ (not list it; its secrets are 0600)
        for d in [shim, *shim.rglob("*")]:
            if d.is_dir():
                d.chmod(0o755)
        (shim / "lib" / f"python{want}" / "site-packages" / "mha-lab-venv.pth").write_text(f"import site; site.addsitedir({str(site)!r})\n")
        if runs_as_other_user([str(shim / "bin" / "python"), "-c", probe]):
            return shim / "bin" / "python", f"{shim}: {cand} + .venv's site-packages"
        tried.append(f"{cand} (the shim environment could not import JupyterHub)")
    raise RuntimeError(
        f"the learners' servers cannot run .venv/bin/python ({os.path.realpath(venv / 'bin' / 'python')}): "
        "another user cannot reach it (a folder on its path is private, e.g. /root), and no usable Python "
        f"{want} was found ({', '.join(tried) or 'none of ' + ', '.join(filter(None, candidates))}).\n"
        f"Fix: install Python {want} system-wide (Debian/Ubuntu: apt install python{want}-venv) and run again, or "
        "set MHA_HUB_LEARNER_PYTHON=/path/to/python" + want + ", or recreate .venv with a Python every user can run."
    )


# ---------------------------------------------------------------- authenticator


def ensure_learners_group() -> None:
    try:
        grp.getgrnam(LEARNERS_GROUP)
    except KeyError:
        subprocess.run(["groupadd", "--system", LEARNERS_GROUP], check=True)


def is_learner_account(name: str) -> bool:
    """True when `name` is a system account created for the workshop (member of mha-learners)."""
    try:
        pw = pwd.getpwnam(name)
        group = grp.getgrnam(LEARNERS_GROUP)
    except KeyError:
        return False
    return name in group.gr_mem or pw.pw_gid == group.gr_gid


def _exists(lookup, name: str) -> bool:
    try:
        lookup(name)
        return True
    except KeyError:
        return False


def system_account_exists(name: str) -> bool:
    return _exists(pwd.getpwnam, name)


def system_group_exists(name: str) -> bool:
    return _exists(grp.getgrnam, name)


def name_refusal(name: str) -> str | None:
    """Why `name` cannot be a learner on this machine (an account or group that is not a learner's), or None."""
    if is_learner_account(name):
        return None  # a learner coming back (useradd also made a group of the same name for them)
    if system_account_exists(name):
        return f'"{name}" is an account on this machine, not a workshop learner: pick another name.'
    if system_group_exists(name):
        return f'"{name}" is the name of a group on this machine: pick another name.'
    return None


class LoginThrottle:
    """Failed logins, counted per name and per client address over a sliding window.

    JupyterHub 6.1.1 has no login rate limit of its own (its spawn throttle, concurrent_spawn_limit, counts
    servers starting, not passwords tried), so the authenticator keeps this: after `per_name` failures for one name
    within `window` seconds, or `per_address` from one address (a classroom shares one address behind NAT: keep it
    well above per_name), every login for that name / from that address is refused, right password or not, until
    the oldest failure leaves the window.
    """

    def __init__(self, per_name: int = 5, per_address: int = 50, window: float = 60.0, clock=time.monotonic):
        self.limits = {"name": per_name, "address": per_address}
        self.window, self.clock = window, clock
        self.failures: dict[tuple[str, str], list[float]] = {}

    def _recent(self, key) -> list[float]:
        now = self.clock()
        kept = [t for t in self.failures.get(key, []) if now - t < self.window]
        if kept:
            self.failures[key] = kept
        else:
            self.failures.pop(key, None)
        return kept

    def wait(self, name: str, address: str) -> float:
        """Seconds until a login for `name` from `address` may be tried (0: now)."""
        waits = [0.0]
        for kind, value in (("name", name), ("address", address)):
            recent = self._recent((kind, value))
            if len(recent) >= self.limits[kind]:
                waits.append(recent[-self.limits[kind]] + self.window - self.clock())
        return max(waits)

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        for key in (("name", name), ("address", address)):
            self.failures.setdefault(key, []).append(now)

    def succeeded(self, name: str) -> None:
        self.failures.pop(("name", name), None)


MIN_PASSWORD = 12  # the workshop password (hub.mjs) and each learner's own
MAX_PASSWORD_BYTES = 72  # bcrypt's limit (bcrypt 5 raises on longer passwords)


def password_problem(password: str, workshop_password: str) -> str | None:
    """Why `password` cannot be a learner's own password, or None."""
    if len(password) < MIN_PASSWORD:
        return f"Your own password needs at least {MIN_PASSWORD} characters (it has {len(password)}): a few words with dashes will do."
    if len(password.encode("utf8")) > MAX_PASSWORD_BYTES:
        return f"Your own password can be at most {MAX_PASSWORD_BYTES} bytes long (it has {len(password.encode('utf8'))})."
    if hmac.compare_digest(password.encode("utf8"), workshop_password.encode("utf8")):
        return "Your own password must not be the workshop password: everyone in the room knows that one."
    return None


class WorkshopLoginHandler(CustomLoginHandler):
    """firstuseauthenticator 1.1.1's login handler, fixed for JupyterHub 6.1.1: its _render(login_error, username)
    takes no other keywords, but JupyterHub's error page calls render_template(..., sync=True) -> _render(sync=True),
    so any error during a login (an XSRF refusal, a failed useradd) became a TypeError and an HTTP 500."""

    def _render(self, login_error=None, username=None, **kwargs):
        if self.custom_login_error:
            login_error = self.custom_login_error
        return LoginHandler._render(self, login_error=login_error, username=username, **kwargs)


class WorkshopAuthenticator(FirstUseAuthenticator, LocalAuthenticator):
    """A name belongs to whoever claimed it first; claiming a name needs the workshop password.

    The login form has three fields: name, password, and "Workshop password" (JupyterHub's own extra login
    field, Authenticator.request_otp, sent as "otp"). firstuseauthenticator 1.1.1 keeps each name's bcrypt hash
    in a dbm file (the state dir, mode 0600).
    - A name nobody has claimed: the third field must be the workshop password, and the password field becomes
      that name's own password (at least MIN_PASSWORD characters, not the workshop password).
    - A claimed name: only its own password logs in; the workshop password is no use there.
    - As root (system users): names of existing accounts or groups that are not learners (root, sudo, adm,
      shadow, mha-learners) are refused with a message, before any account is made.
    - LoginThrottle: too many failures for one name or from one address, and logins wait.
    A learner changes their password at /hub/auth/change-password (firstuseauthenticator's page).
    """

    workshop_password = Unicode("", config=True, help="The workshop password, needed to claim a new name.")
    system_users = Bool(True, config=True, help="Learners are system users (refuse names of other accounts and groups).")

    @default("request_otp")
    def _request_otp_default(self):
        return True

    @default("otp_prompt")
    def _otp_prompt_default(self):
        return "Workshop password (only to claim a new name):"

    @default("min_password_length")
    def _min_password_length_default(self):
        return MIN_PASSWORD

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if len(self.workshop_password) < MIN_PASSWORD:
            raise ValueError(f"WorkshopAuthenticator.workshop_password needs at least {MIN_PASSWORD} characters")
        self.throttle = LoginThrottle()

    def _refuse(self, handler, message: str, name: str, address: str, failure: bool = True):
        handler.custom_login_error = message  # firstuseauthenticator's login handler shows it
        if failure:
            self.throttle.failed(name, address)
        self.log.warning("login refused for %r from %s: %s", name, address, message)
        return None

    def _stored_hash(self, name: str) -> bytes | None:
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            return db.get(name.encode("utf8"))

    async def authenticate(self, handler, data):
        name = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        claim = data.get("otp", "")
        address = handler.request.remote_ip or "?"
        wait = self.throttle.wait(name, address)
        if wait > 0:
            return self._refuse(handler, f"Too many failed logins for this name or from your address: try again in {math.ceil(wait)} s.",
                                name, address, failure=False)
        if not self.validate_username(name):
            return self._refuse(handler, "A name is 1-32 of a-z, 0-9, - and _, starting with a letter.", name, address)
        if self.system_users:
            refusal = name_refusal(name)
            if refusal:
                return self._refuse(handler, refusal, name, address)
        stored = self._stored_hash(name)
        if stored is not None:
            if len(password.encode("utf8")) > MAX_PASSWORD_BYTES or not await asyncio.to_thread(bcrypt.checkpw, password.encode("utf8"), stored):
                return self._refuse(handler, f'Wrong password for "{name}". This name is taken: log in with the password its owner chose.', name, address)
            self.throttle.succeeded(name)
            return name
        # a new name: claimed with the workshop password, and the password field becomes the name's own
        if not hmac.compare_digest(claim.encode("utf8"), self.workshop_password.encode("utf8")):
            return self._refuse(handler, f'"{name}" is free. To claim it, type the workshop password in the third field, and a password of your own (at least {MIN_PASSWORD} characters) in the password field.', name, address)
        problem = password_problem(password, self.workshop_password)
        if problem:
            return self._refuse(handler, problem, name, address, failure=False)
        hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode("utf8"), bcrypt.gensalt())
        with dbm.open(self.dbm_path, "c", 0o600) as db:  # no await between this check and the write
            if db.get(name.encode("utf8")) is not None:
                return self._refuse(handler, f'"{name}" was claimed by someone else a moment ago: pick another name.', name, address, failure=False)
            db[name.encode("utf8")] = hashed
        self.log.info("name %r claimed", name)
        self.throttle.succeeded(name)
        return name

    def get_handlers(self, app):
        return [(path, WorkshopLoginHandler if handler is CustomLoginHandler else handler) for path, handler in super().get_handlers(app)]

    def reset_password(self, username, new_password):
        """/hub/auth/change-password: the same rules as a first password."""
        problem = password_problem(new_password, self.workshop_password)
        if problem:
            return problem
        return super().reset_password(username, new_password)


# ---------------------------------------------------------------- spawners


class WorkshopSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with the learner's limits: a cgroup (memory, pids, CPU) around the server's process
    tree, and RLIMIT_FSIZE (no single file over home_limit); copy_course checks the home's size before each start."""

    _cgroups: LearnerCgroups | None = None  # shared by all spawners, set up by jupyterhub_config.py
    pids_limit = Integer(0, config=True, help="Most processes + threads a learner's server and kernels may have (0 = no limit).")
    home_limit = ByteSpecification(0, config=True, help="Largest home folder a server may start with, and largest single file (0 = no limit).")

    def make_preexec_fn(self, name):
        setuid = super().make_preexec_fn(name)
        procs = getattr(self, "_cgroup_procs", [])
        fsize = int(self.home_limit or 0)

        def preexec():
            # Still root here, after fork and before exec: join the learner's cgroups (files under /sys/fs/cgroup),
            # cap file sizes, then drop to the learner. Nothing here touches the learner's home.
            for p in procs:
                with open(p, "w") as f:
                    f.write(str(os.getpid()))
            if fsize:
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
            setuid()
            _chdir_course()

        return preexec

    async def start(self):
        name = self.user.name
        cg = WorkshopSpawner._cgroups
        if cg:  # a server that died on its own (e.g. OOM-killed) leaves its cgroup, maybe with a kernel in it
            cg.kill_all(name)
            self._oom_before = cg.oom_kills(name) or 0
        limits = {"memory": int(self.mem_limit or 0), "pids": int(self.pids_limit or 0), "cpus": float(self.cpu_limit or 0)}
        self._cgroup_procs = cg.prepare(name, **limits) if cg else []
        unenforced = [k for k, v in limits.items() if v and (not cg or {"cpus": "cpu"}.get(k, k) not in cg.bases)]
        if unenforced:
            self.log.warning("%s limit(s) for %s NOT enforced: %s", ", ".join(unenforced), name, cg.error if cg else "no cgroups")
        return await super().start()

    async def run_post_stop_hook(self):
        # Not stop(): JupyterHub calls stop() only for a server that is still running, so a server the kernel
        # OOM-killed never got there (its cgroup was left behind, and the kill went unreported). The post-stop hook
        # runs after every stop, whatever ended the server.
        try:
            await self._release_cgroups()
        finally:
            done = super().run_post_stop_hook()  # the configured post_stop_hook, if any
            if inspect.isawaitable(done):
                await done

    async def _release_cgroups(self):
        cg = WorkshopSpawner._cgroups
        if cg:
            name = self.user.name
            left = cg.kill_all(name)  # the server is gone: nothing of this learner may outlive it
            if left:
                self.log.info("stopped %d leftover process(es) of %s", left, name)
                await asyncio.sleep(0.5)
            oom = (cg.oom_kills(name) or 0) - getattr(self, "_oom_before", 0)
            if oom > 0:  # the load test reads this line: proof of an out-of-memory kill, not just a failure
                self.log.warning("OOM-KILL learner=%s kills=%d limit=%s: the kernel killed %d process(es) of %s in their memory cgroup",
                                 name, oom, self.mem_limit, oom, name)
            cg.remove(name)


class HomeSpawner(SimpleLocalProcessSpawner):
    """Non-root fallback: every server runs as the hub's own user, in <state>/homes/<name>. No isolation."""

    def make_preexec_fn(self, name):
        inner = super().make_preexec_fn(name)

        def preexec():
            inner()
            _chdir_course()

        return preexec


def _chdir_course():
    """The server's working directory is the learner's notebooks/: a kernel started without a path (REST API,
    a console) then resolves `import … from "mha-lab"` as a notebook does. Runs in the child, after setuid."""
    try:
        os.chdir(os.path.join(os.getcwd(), COURSE_DIR, "notebooks"))  # the spawner has just chdir'd to the home
    except OSError:
        pass


# ---------------------------------------------------------------- the learner's home


def learner_home(spawner) -> tuple[Path, int | None, int | None]:
    if isinstance(spawner, SimpleLocalProcessSpawner):
        return Path(spawner.home_dir), None, None
    pw = pwd.getpwnam(spawner.user.name)
    return Path(pw.pw_dir), pw.pw_uid, pw.pw_gid


def home_bytes(home: Path) -> int:
    """Disk use of `home` in bytes: `du -s -x -P` (read-only; never follows a symlink, never leaves the filesystem)."""
    r = subprocess.run(["du", "-s", "-x", "-P", "--block-size=1", str(home)], capture_output=True, text=True, timeout=120)
    return int(r.stdout.split()[0]) if r.stdout.strip() else 0


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def check_home(name: str, limit: int) -> None:
    """Refuses to start `name`'s server when their home is not theirs, or holds more than `limit` bytes."""
    pw = pwd.getpwnam(name)
    st = os.lstat(pw.pw_dir)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != pw.pw_uid:
        raise web.HTTPError(409, f"{pw.pw_dir} is not a folder owned by {name}: their server is not started (ask the instructor)")
    if limit:
        used = home_bytes(Path(pw.pw_dir))
        if used > limit:
            raise web.HTTPError(507,  # Insufficient Storage: the API and the spawn page show this message
                f"{name}'s home folder holds {_mb(used)}, over this workshop's limit of {_mb(limit)} (--home-limit): "
                "their server is not started. The instructor can free space as that learner (sudo -u NAME …), or raise the limit."
            )


def as_learner(name: str) -> dict:
    """subprocess keyword arguments that run a command as `name` (uid, gid, every group of theirs), umask 077."""
    pw = pwd.getpwnam(name)
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": os.getgrouplist(name, pw.pw_gid), "umask": 0o077,
            "cwd": "/", "env": {"PATH": "/usr/bin:/bin", "HOME": pw.pw_dir, "LANG": "C.UTF-8"}}


def course_spec(root: Path, home: Path) -> dict:
    """What course_copy.copy_course makes in `home`: read here (by the hub), written there (by the learner)."""
    return {
        "home": str(home),
        "course": COURSE_DIR,
        "files": {src.name: src.read_text(encoding="utf-8") for src in sorted((root / "notebooks").glob("*.ipynb"))},
        "links": {entry: str(root / entry) for entry in MIRRORED},
    }


def copy_course(root: Path, spawner) -> Path:
    """The pre-spawn hook: ~/mha-lab/notebooks gets every notebook the learner does not have yet (their edits are
    never overwritten). As root, the copy runs as the learner (course_copy.py), never as root in their home."""
    home, uid, _ = learner_home(spawner)
    if uid is not None:
        check_home(spawner.user.name, int(getattr(spawner, "home_limit", 0) or 0))
    spec = course_spec(root, home)
    if uid is None:  # not root: every learner is us already (HomeSpawner)
        home.mkdir(parents=True, exist_ok=True)
        report = course_copy.copy_course(spec)
    else:
        code = (HERE / "course_copy.py").read_text()
        r = subprocess.run([spawner.cmd[0], "-I", "-c", code], input=json.dumps(spec), capture_output=True, text=True,
                           timeout=120, **as_learner(spawner.user.name))
        if r.returncode != 0:
            raise RuntimeError(f"copying the course for {spawner.user.name} (as that learner) failed: {r.stderr.strip()[-500:]}")
        report = json.loads(r.stdout)
    if report["errors"]:
        spawner.log.warning("course copy for %s: %s", spawner.user.name, "; ".join(report["errors"]))
    return home / COURSE_DIR / "notebooks"
