"""Jupyter Server config for the browser tests (Galata). Never use it in production.

Galata's helper turns off auth and XSRF and exposes the app object to the page, which is
what the tests need and exactly what a real server must not do.
"""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821  (c is injected by Jupyter's config loader)

# Root, port and host come from test/browser/serve.sh (command line beats this file).
# Notebook signatures: an in-memory database and a fresh secret per server start, so no
# notebook is trusted because of an earlier run or the user's own ~/.local/share/jupyter.
c.NotebookNotary.db_file = ":memory:"  # noqa: F821
c.NotebookNotary.secret = os.urandom(32)  # noqa: F821
# Nothing at run time may reach the network: no news or update checks.
c.LabApp.news_url = None  # noqa: F821
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821
c.ServerApp.log_level = "WARN"  # noqa: F821
# CI containers run as root.
c.ServerApp.allow_root = True  # noqa: F821
