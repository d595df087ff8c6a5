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


def run_notebook(path: Path, out_dir: Path | None = EXECUTED, cwd: Path | None = None) -> nbformat.NotebookNode:
    """Runs every cell of `path` top to bottom; returns the executed notebook or raises NotebookFailed.

    The kernel's working directory is the notebook's folder (as in JupyterLab), so
    `import ... from "mha-lab"` resolves through the repo's node_modules. The executed
    copy goes to out_dir/<name> even when a cell fails, so the failure can be inspected.
    """
    __tracebackhide__ = True  # pytest: show the failing cell, not this function's source
    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "tslab")
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=TIMEOUT,
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    t0 = time.time()
    error: Exception | None = None
    try:
        client.execute()
    except CellExecutionError as e:
        error = e
    finally:
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, out_dir / path.name)
    if error is not None:
        raise NotebookFailed(f"{path.name}: a cell failed after {time.time() - t0:.1f} s\n{error}") from None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "allow-stderr" in cell.metadata.get("tags", []):
            continue
        stderr = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr")
        if stderr.strip():
            raise NotebookFailed(
                f"{path.name}: cell {i} ({_first_line(cell.source)!r}) wrote to stderr "
                f"(an error in a timer/promise, or a warning; tag the cell `allow-stderr` if intended):\n{stderr.strip()[:2000]}"
            )
    return nb
