"""The pieces of mha-lab's workshop hub that JupyterHub does not ship: imported by jupyterhub_config.py.

- WorkshopAuthenticator: JupyterHub's own SharedPasswordAuthenticator (one workshop password), plus
  LocalAuthenticator's creation of a system user on first login (root only). A name that already belongs to a
  system account outside the learners' group (root, daemon, a real person) is refused, so the shared password
  can never start a server as an existing account.
- WorkshopSpawner: LocalProcessSpawner (each learner's server runs as that learner's system user), whose
  process tree is put in a memory cgroup with a hard limit (mem_limit), because LocalProcessSpawner itself
  does not enforce mem_limit.
- HomeSpawner: SimpleLocalProcessSpawner for a non-root run (no isolation: every learner is the hub's user).
- copy_course(): the pre-spawn hook giving each learner their own copy of notebooks/.
"""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from jupyterhub.auth import LocalAuthenticator
from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner

LEARNERS_GROUP = "mha-learners"
COURSE_DIR = "mha-lab"  # inside each learner's home: ~/mha-lab/notebooks
# Entries of the project that sit next to the notebooks copy, as symlinks, so that `import … from "mha-lab"`
# resolves (node walks up to ~/mha-lab/node_modules -> the project's node_modules) and relative fixture paths
# such as ../test/fixtures/... keep working. They are read-only for learners (owned by root).
MIRRORED = ["node_modules", "test"]


# ---------------------------------------------------------------- memory limit: cgroups


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


class MemoryCgroups:
    """One memory cgroup per learner, as a child of the hub's own cgroup: <hub cgroup>/mha-lab-hub/<name>.

    cgroup v1: memory.limit_in_bytes (+ memsw when present, so swap cannot dodge it); v2: memory.max.
    When the kernel OOM-kills inside the cgroup, only that learner's kernel or server dies.
    """

    def __init__(self):
        found = _own_cgroup("memory")
        self.kind, self.parent = (found if found else (None, None))
        self.error = None
        if not found:
            self.error = "no memory cgroup controller found in /proc/self/cgroup"
            return
        base = self.parent / "mha-lab-hub"
        try:
            base.mkdir(exist_ok=True)
            if self.kind == "v2":
                (self.parent / "cgroup.subtree_control").write_text("+memory")
                (base / "cgroup.subtree_control").write_text("+memory")
        except OSError as e:
            self.error = f"cannot create {base}: {e}"
            return
        self.base = base

    @property
    def ok(self) -> bool:
        return self.error is None

    def prepare(self, name: str, limit_bytes: int) -> Path | None:
        """Creates the learner's cgroup with its limit; returns its cgroup.procs file (None if unavailable)."""
        if not self.ok or not limit_bytes:
            return None
        d = self.base / name
        d.mkdir(exist_ok=True)
        if self.kind == "v1":
            (d / "memory.limit_in_bytes").write_text(str(limit_bytes))
            memsw = d / "memory.memsw.limit_in_bytes"
            if memsw.exists():
                try:
                    memsw.write_text(str(limit_bytes))
                except OSError:
                    pass
        else:
            (d / "memory.max").write_text(str(limit_bytes))
            try:
                (d / "memory.swap.max").write_text("0")
            except OSError:
                pass
        return d / "cgroup.procs"

    def usage(self, name: str) -> dict | None:
        d = self.base / name if self.ok else None
        if not d or not d.is_dir():
            return None
        if self.kind == "v1":
            read = lambda f: int((d / f).read_text())
            return {"usage": read("memory.usage_in_bytes"), "peak": read("memory.max_usage_in_bytes"),
                    "limit": read("memory.limit_in_bytes"), "oom_kills": _oom_kills(d / "memory.oom_control")}
        peak = d / "memory.peak"
        return {"usage": int((d / "memory.current").read_text()),
                "peak": int(peak.read_text()) if peak.exists() else None,
                "limit": (d / "memory.max").read_text().strip(), "oom_kills": _oom_kills(d / "memory.events", "oom_kill")}

    def kill_all(self, name: str) -> int:
        """SIGKILLs whatever is left in the learner's cgroup (a kernel orphaned by its server); returns how many."""
        procs = self.base / name / "cgroup.procs" if self.ok else None
        if not procs or not procs.exists():
            return 0
        n = 0
        for pid in procs.read_text().split():
            try:
                os.kill(int(pid), 9)
                n += 1
            except (ProcessLookupError, ValueError):
                pass
        return n

    def remove(self, name: str) -> None:
        if not self.ok:
            return
        for _ in range(20):
            try:
                (self.base / name).rmdir()  # only succeeds once every process in it has exited
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.25)


def _oom_kills(f: Path, key: str = "oom_kill") -> int | None:
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


def system_account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


class WorkshopAuthenticator(SharedPasswordAuthenticator, LocalAuthenticator):
    """SharedPasswordAuthenticator (one workshop password) that creates a system user per learner.

    Usernames: lower case, 1-32 of a-z 0-9 _ -, starting with a letter (what useradd accepts).
    """

    async def authenticate(self, handler, data):
        result = await super().authenticate(handler, data)
        if result is None:
            return None
        name = result["name"]
        if system_account_exists(name) and not is_learner_account(name):
            self.log.warning("refused login as %r: an existing system account that is not a workshop learner", name)
            return None
        return result


# ---------------------------------------------------------------- spawners


def _limit_bytes(spawner) -> int:
    return int(spawner.mem_limit or 0)


class WorkshopSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with a hard memory limit per learner (a memory cgroup around the server's process tree)."""

    _cgroups: MemoryCgroups | None = None  # shared by all spawners, set up by jupyterhub_config.py

    def make_preexec_fn(self, name):
        setuid = super().make_preexec_fn(name)
        procs = getattr(self, "_cgroup_procs", None)

        def preexec():
            # Still root here, after fork and before exec: join the learner's cgroup, then drop to the learner.
            if procs is not None:
                with open(procs, "w") as f:
                    f.write(str(os.getpid()))
            setuid()
            _chdir_course()

        return preexec

    async def start(self):
        cg = WorkshopSpawner._cgroups
        if cg:  # a server that died on its own (e.g. OOM-killed) leaves its cgroup, maybe with a kernel in it
            cg.kill_all(self.user.name)
        self._cgroup_procs = cg.prepare(self.user.name, _limit_bytes(self)) if cg else None
        if _limit_bytes(self) and self._cgroup_procs is None:
            self.log.warning("memory limit for %s NOT enforced: %s", self.user.name, cg.error if cg else "no cgroups")
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        cg = WorkshopSpawner._cgroups
        if cg:
            left = cg.kill_all(self.user.name)  # the server is gone: nothing of this learner may outlive it
            if left:
                self.log.info("stopped %d leftover process(es) of %s", left, self.user.name)
                await asyncio.sleep(0.5)
            cg.remove(self.user.name)


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
    a console) then resolves `import … from "mha-lab"` as a notebook does. Runs in the child, before exec."""
    try:
        os.chdir(os.path.join(os.getcwd(), COURSE_DIR, "notebooks"))  # the spawner has just chdir'd to the home
    except OSError:
        pass


# ---------------------------------------------------------------- the learner's copy of the course


def learner_home(spawner) -> tuple[Path, int | None, int | None]:
    if isinstance(spawner, SimpleLocalProcessSpawner):
        return Path(spawner.home_dir), None, None
    pw = pwd.getpwnam(spawner.user.name)
    return Path(pw.pw_dir), pw.pw_uid, pw.pw_gid


def copy_course(root: Path, spawner) -> Path:
    """~/mha-lab/notebooks gets every notebook the learner does not have yet (their edits are never overwritten)."""
    home, uid, gid = learner_home(spawner)
    course = home / COURSE_DIR
    nbdir = course / "notebooks"
    nbdir.mkdir(parents=True, exist_ok=True)
    if uid is not None:
        os.chmod(home, 0o700)  # learners cannot read each other's work
    for src in sorted((root / "notebooks").glob("*.ipynb")):
        dest = nbdir / src.name
        if not dest.exists():
            shutil.copyfile(src, dest)
    for entry in MIRRORED:
        link = course / entry
        if not link.exists() and not link.is_symlink():
            link.symlink_to(root / entry)
    if uid is not None:
        for p in [home, course, nbdir, *nbdir.iterdir()]:
            os.lchown(p, uid, gid)
    return nbdir
