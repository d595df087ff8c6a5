"""Execute a notebook through the real tslab kernel with nbclient, and fail loudly.

Used by test_notebooks.py (pytest) and, through it, by `npm run nb -- notebooks/NN-x.ipynb`.
A cell fails the run when:
  * the kernel reports an error (a runtime exception, or a TypeScript compile diagnostic:
    tslab answers a cell that does not type-check with status "error" and prints the
    diagnostic, e.g. "1:7 - Type 'string' is not assignable to type 'number'.", on stderr);
  * the cell writes anything to stderr (tslab reports errors thrown later, in timers or
    promises, only as "UncaughtException: ..." / "UnhandledPromiseRejection: ..." on stderr).
A cell tagged `raises-exception` may error (nbclient's own rule); a cell tagged `allow-stderr`
may write to stderr.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
EXECUTED = ROOT / "build" / "executed"
TIMEOUT = int(os.environ.get("MHA_LAB_NB_TIMEOUT", "300"))
KERNELSPEC = {"name": "tslab", "display_name": "TypeScript", "language": "typescript"}


class NotebookFailed(AssertionError):
    pass


def _first_line(src: str) -> str:
    line = src.strip().splitlines()[0] if src.strip() else ""
    return line[:100]


# Clean runs of this process, by (notebook, working directory, notebook mtime): one pytest session
# runs each course notebook once, however many tests read its outputs.
_CLEAN_RUNS: dict[tuple[Path, Path | None, float], nbformat.NotebookNode] = {}
_FAILED_RUNS: dict[tuple[Path, Path | None, float], str] = {}


def run_notebook(path: Path, out_dir: Path | None = EXECUTED, cwd: Path | None = None) -> nbformat.NotebookNode:
    """Runs every cell of `path` top to bottom; returns the executed notebook or raises NotebookFailed.

    The kernel's working directory is the notebook's folder (as in JupyterLab), so
    `import ... from "mha-lab"` resolves through the repo's node_modules. The executed
    copy goes to out_dir/<name> even when a cell fails, so the failure can be inspected.
    A notebook that already ran clean in this process is not run again.
    """
    __tracebackhide__ = True  # pytest: show the failing cell, not this function's source
    path = Path(path).resolve()
    key = (path, cwd, path.stat().st_mtime)
    if key in _FAILED_RUNS:  # a notebook that failed in this process fails again at once (no second run)
        raise NotebookFailed(_FAILED_RUNS[key])
    if key not in _CLEAN_RUNS:
        try:
            _CLEAN_RUNS[key] = _execute(path, cwd, out_dir)
        except NotebookFailed as e:
            _FAILED_RUNS[key] = str(e)
            raise
    nb = _CLEAN_RUNS[key]
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_dir / path.name)
    return nb


def _execute(path: Path, cwd: Path | None, out_dir: Path | None) -> nbformat.NotebookNode:
    __tracebackhide__ = True
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "tslab")
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=TIMEOUT,
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    t0 = time.time()
    failure: str | None = None
    try:
        client.execute()
    except CellExecutionError as e:
        failure = f"{path.name}: a cell failed after {time.time() - t0:.1f} s\n{e}"
    if failure is None:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or "allow-stderr" in cell.metadata.get("tags", []):
                continue
            stderr = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr")
            if stderr.strip():
                failure = (
                    f"{path.name}: cell {i} ({_first_line(cell.source)!r}) wrote to stderr "
                    f"(an error in a timer/promise, or a warning; tag the cell `allow-stderr` if intended):\n{stderr.strip()[:2000]}"
                )
                break
    if failure is not None:
        if out_dir is not None:  # keep the failed run for inspection
            out_dir.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, out_dir / path.name)
        raise NotebookFailed(failure)
    return nb
