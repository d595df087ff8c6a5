# Loaded by every learner's single-user server (jupyterhub_config.py puts this folder first on
# JUPYTER_CONFIG_PATH, before .venv/etc/jupyter): no session ids in the log (see ../log_filter.py).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import log_filter  # noqa: E402

log_filter.install()
