"""Gives a learner their own copy of the course. Runs AS THE LEARNER, never as root.

The hub (mha_hub.copy_course, root) reads the notebooks itself and starts this file's text with the learner's
Python (`python -I -c <this file> < spec.json`), as the learner's uid, gid and groups, with umask 077. So a
symlink the learner planted (`~/mha-lab/notebooks -> /etc`, `00-welcome.ipynb -> /etc/nologin`) can only lead
this process where the learner could write anyway: nowhere that is not theirs. On top of that, files are created
with O_CREAT | O_EXCL | O_NOFOLLOW, so an existing name (a learner's edited notebook, or a symlink, dangling or
not) is left exactly as it is and never written through.

Standard library only, no imports from the project: the learner may not be able to read anything but this text.
Input (stdin, JSON): {"home": "/home/NAME", "course": "mha-lab", "files": {"00-welcome.ipynb": "<text>", ...},
"links": {"node_modules": "/path/to/project/node_modules", ...}}.
Output (stdout, JSON): {"copied": [names], "kept": [names], "errors": ["name: reason", ...]}.
"""

import json
import os
import sys


def copy_course(spec: dict) -> dict:
    """Creates <home>/<course>/notebooks and every notebook and link the learner does not have yet.

    @param spec: as in this module's docstring
    @return: {"copied": [...], "kept": [...], "errors": [...]}
    Example: copy_course({"home": "/home/ada", "course": "mha-lab", "files": {"a.ipynb": "{}"}, "links": {}})
             # returns {"copied": ["a.ipynb"], "kept": [], "errors": []}  (on a first start)
    """
    home = spec["home"]
    course = os.path.join(home, spec["course"])
    nbdir = os.path.join(course, "notebooks")
    report = {"copied": [], "kept": [], "errors": []}
    os.chmod(home, 0o700)  # learners cannot read each other's work (the home is the learner's own)
    os.makedirs(nbdir, mode=0o700, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    for name, text in sorted(spec["files"].items()):
        if "/" in name or name in ("", ".", ".."):
            report["errors"].append(f"{name!r}: not a plain file name")
            continue
        try:
            fd = os.open(os.path.join(nbdir, name), flags, 0o600)
        except FileExistsError:  # their own edits, or anything they put there (a symlink included): left alone
            report["kept"].append(name)
            continue
        except OSError as e:
            report["errors"].append(f"{name}: {e.strerror}")
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        report["copied"].append(name)
    for name, target in sorted(spec["links"].items()):
        link = os.path.join(course, name)
        if os.path.lexists(link):
            continue
        try:
            os.symlink(target, link)
        except OSError as e:
            report["errors"].append(f"{name}: {e.strerror}")
    return report


if __name__ == "__main__":
    print(json.dumps(copy_course(json.load(sys.stdin))))
