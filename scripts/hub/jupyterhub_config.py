# JupyterHub configuration for `npm run hub` (scripts/hub/hub.mjs writes the MHA_HUB_* variables it reads).
#
# - JupyterHub 6.1.1 and the idle culler from the project's .venv; configurable-http-proxy 5.3.0 from node_modules.
# - Logins: a name belongs to whoever claimed it (firstuseauthenticator, their own password); claiming a new name
#   needs the workshop password (mha_hub.WorkshopAuthenticator). Failed logins are throttled.
# - As root: LocalProcessSpawner, one system user per learner (created on first login, group mha-learners,
#   home 0700), a cgroup per learner with memory, pids and CPU limits, a per-home size check. The course copy
#   runs as the learner (mha_hub.copy_course). Not root: every learner runs as you (SimpleLocalProcessSpawner,
#   homes under the state dir) -- fine for trying it out, no isolation.
# - Each learner: single-user JupyterLab from .venv, the project's tslab kernel and plotly renderer, the same
#   offline settings as `npm start` (.venv/etc/jupyter, lab/settings/overrides.json), own copy of notebooks/.
# - State (sqlite, cookie secret, proxy pid) in MHA_HUB_STATE (default <project>/.hub, git-ignored).
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import log_filter  # noqa: E402
import mha_hub  # noqa: E402

log_filter.install()  # no session ids in the hub's log

c = get_config()  # noqa: F821  (JupyterHub's config loader provides it)
env = os.environ.get

ROOT = Path(env("MHA_HUB_ROOT", str(HERE.parent.parent))).resolve()
VENV = ROOT / ".venv"
STATE = Path(env("MHA_HUB_STATE", str(ROOT / ".hub"))).resolve()
STATE.mkdir(parents=True, exist_ok=True)
_db = STATE / "jupyterhub.sqlite"
if not _db.exists():
    _db.touch(mode=0o600)  # the hub's database is nobody else's business, whatever the state dir's mode
IP = env("MHA_HUB_IP", "127.0.0.1")
PORT = int(env("MHA_HUB_PORT", "8000"))
HUB_PORT = int(env("MHA_HUB_HUB_PORT", "8081"))
API_PORT = int(env("MHA_HUB_API_PORT", str(PORT + 1)))
_size = lambda v: None if float(v.rstrip("KMGTkmgt") or 0) == 0 else v  # "0" = no limit (ByteSpecification refuses "0")
MEM_LIMIT = _size(env("MHA_HUB_MEM_LIMIT", "3G"))  # hub.mjs DEFAULTS.memLimit sets it; this is the same default
CPU_LIMIT = float(env("MHA_HUB_CPU_LIMIT", "1"))
PIDS_LIMIT = int(env("MHA_HUB_PIDS_LIMIT", "256"))
HOME_LIMIT = _size(env("MHA_HUB_HOME_LIMIT", "1G"))
CULL_IDLE = int(env("MHA_HUB_CULL_IDLE", "3600"))
NODE_BIN = env("MHA_HUB_NODE_BIN") or str(Path(shutil.which("node") or "/usr/bin/node").parent)  # hub.mjs: its own node
IS_ROOT = os.geteuid() == 0
SYSTEM_USERS = {"auto": IS_ROOT, "1": True, "0": False}[env("MHA_HUB_SYSTEM_USERS", "auto")]

# ---------------------------------------------------------------- hub, proxy, state
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = HUB_PORT
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.command = [str(ROOT / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{API_PORT}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.ConfigurableHTTPProxy.auth_token = env("CONFIGPROXY_AUTH_TOKEN", "")  # hub.mjs keeps it in <state>/proxy_token
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server (their files stay)
# (no JupyterHub.default_url: after login a learner goes straight to their server, which starts by itself)
c.JupyterHub.shutdown_on_logout = False
c.JupyterHub.concurrent_spawn_limit = 0  # no cap: the load test starts them all at once
c.JupyterHub.active_server_limit = 0

# ---------------------------------------------------------------- login: a name per learner, claimed with the workshop password
c.JupyterHub.authenticator_class = mha_hub.WorkshopAuthenticator
c.WorkshopAuthenticator.workshop_password = env("MHA_HUB_PASSWORD") or ""
c.WorkshopAuthenticator.system_users = SYSTEM_USERS
c.FirstUseAuthenticator.dbm_path = str(STATE / "passwords.dbm")  # bcrypt hashes, mode 0600, in the 0700 state dir
c.Authenticator.allow_all = True  # anyone who claims a name with the workshop password
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,31}$"
c.LocalAuthenticator.create_system_users = SYSTEM_USERS
if SYSTEM_USERS:
    mha_hub.ensure_learners_group()
    c.LocalAuthenticator.add_user_cmd = [
        "useradd", "--create-home", "--key", "HOME_MODE=0700", "--shell", "/bin/bash", "--groups", mha_hub.LEARNERS_GROUP,
        "--comment", "mha-lab workshop learner",
    ]

# ---------------------------------------------------------------- the learners' servers
if SYSTEM_USERS:
    c.JupyterHub.spawner_class = mha_hub.WorkshopSpawner
else:
    c.JupyterHub.spawner_class = mha_hub.HomeSpawner
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "homes" / "{username}")

LEARNER_PY, LEARNER_PY_HOW = mha_hub.learner_python(
    VENV, ROOT / ".hub" / "learner-python", [env("MHA_HUB_LEARNER_PYTHON"), "/usr/bin/python3", "/usr/local/bin/python3"]
) if SYSTEM_USERS else (VENV / "bin" / "python", ".venv/bin/python")
print(f"[mha-lab hub] learners' servers run on {LEARNER_PY_HOW}", file=sys.stderr)
c.Spawner.cmd = [str(LEARNER_PY), "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab/tree/00-welcome.ipynb"
c.Spawner.notebook_dir = f"~/{mha_hub.COURSE_DIR}/notebooks"
c.Spawner.mem_limit = MEM_LIMIT
c.Spawner.cpu_limit = CPU_LIMIT or None
c.WorkshopSpawner.pids_limit = PIDS_LIMIT
c.WorkshopSpawner.home_limit = HOME_LIMIT or 0
# A 2-core box starting 30 servers at once needs far more than the 60 s default (see the capacity table).
c.Spawner.start_timeout = 600
c.Spawner.http_timeout = 600
c.Spawner.env_keep = ["LANG", "LC_ALL", "TZ"]
c.Spawner.environment = {
    # the project's kernelspec (.venv/share/jupyter/kernels/tslab), before anything in ~/.local
    "JUPYTER_PATH": str(VENV / "share" / "jupyter"),
    "JUPYTER_PLATFORM_DIRS": "1",
    # JupyterLab's app (and lab/settings/overrides.json: the offline settings) and .venv/etc/jupyter (the offline
    # server config, the server extensions) also when the learner's Python is the shim of mha_hub.learner_python
    "JUPYTERLAB_DIR": str(VENV / "share" / "jupyter" / "lab"),
    # scripts/hub/singleuser first: its jupyter_server_config.py keeps session ids out of the server's log
    "JUPYTER_CONFIG_PATH": os.pathsep.join([str(HERE / "singleuser"), str(VENV / "etc" / "jupyter")]),
    # node for the tslab kernel first, then the venv (jupyter), then the system
    "PATH": os.pathsep.join([NODE_BIN, str(VENV / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
    "VIRTUAL_ENV": str(VENV),
    "MHA_LAB_ROOT": str(ROOT),
}
c.Spawner.pre_spawn_hook = lambda spawner: mha_hub.copy_course(ROOT, spawner)

if SYSTEM_USERS:
    cgroups = mha_hub.LearnerCgroups()
    mha_hub.WorkshopSpawner._cgroups = cgroups
    if cgroups.error:
        print(f"[mha-lab hub] WARNING: some per-learner limits are not enforced: {cgroups.error}", file=sys.stderr)
    print("[mha-lab hub] learners' cgroups: " + ", ".join(f"{k} {v[0]} {v[1]}" for k, v in cgroups.bases.items()), file=sys.stderr)

# ---------------------------------------------------------------- services: idle culler, admin token
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={CULL_IDLE}", "--cull-every=60"],
    },
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
admin_token = env("MHA_HUB_ADMIN_TOKEN")
if admin_token:
    # For the instructor's scripts and the load test (hub.mjs writes it to <state>/admin_token, mode 0600).
    c.JupyterHub.services.append({"name": "mha-admin", "api_token": admin_token})
    c.JupyterHub.load_roles.append(
        {"name": "mha-admin", "scopes": ["admin:users", "admin:servers", "list:users", "read:users", "access:servers"], "services": ["mha-admin"]}
    )
if CULL_IDLE <= 0:
    c.JupyterHub.services = [s for s in c.JupyterHub.services if s["name"] != "idle-culler"]
    c.JupyterHub.load_roles = [r for r in c.JupyterHub.load_roles if r["name"] != "idle-culler"]
