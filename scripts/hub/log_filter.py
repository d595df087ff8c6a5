"""No session ids in the hub's log: JupyterHub 6.1.1 and its single-user servers log, at INFO,
"Setting new xsrf cookie for '<session id>:<hash>' {...}" (jupyterhub/_xsrf_utils.py, tornado's app_log).
The session id is the value of the jupyterhub-session-id cookie, so whoever reads the log could log out or track
that session. install() adds a filter to that logger which keeps the line and replaces the id with [secret].
Used by jupyterhub_config.py (the hub) and singleuser/jupyter_server_config.py (each learner's server).
"""

import logging

XSRF_MESSAGE = "Setting new xsrf cookie for %r %r"


class NoSessionIds(logging.Filter):
    """Replaces the xsrf id (session id : hash) in "Setting new xsrf cookie" records with [secret].

    Example: a record with msg XSRF_MESSAGE and args (b"d6fd…:61bb…", {"path": "/hub/"})
             # becomes: Setting new xsrf cookie for '[secret]' {'path': '/hub/'}
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == XSRF_MESSAGE and isinstance(record.args, tuple) and len(record.args) == 2:
            record.args = ("[secret]", record.args[1])
        return True


def install() -> None:
    from tornado.log import app_log

    if not any(isinstance(f, NoSessionIds) for f in app_log.filters):
        app_log.addFilter(NoSessionIds())
