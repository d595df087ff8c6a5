"""Time the course the way a learner runs it: kernel start, each notebook's run-all, the slowest cell.

Runs in the runtime venv (.venv, which has nbclient and the tslab kernelspec):
    .venv/bin/python scripts/bench_notebooks.py [--merge bench/results.json] [notebooks/*.ipynb ...]

Method
- kernel start: median of 3 cold starts of the tslab kernel (start_kernel until wait_for_ready).
- trivial cell: a notebook of 21 cells `1 + 1` run with nbclient; median duration of cells 2..21.
- run-all: wall time of NotebookClient.execute() on each notebook (kernel start, every cell, shutdown),
  with the kernel's working directory set to the notebook's folder.
- cell time: wall time of nbclient's execute_cell for that cell, seen from the client (what a learner waits).
  Also kept: the kernel's own busy -> idle span from the timestamps nbclient records in metadata.execution
  (record_timing=True). tslab sends no iopub.execute_input and stamps shell.execute_reply when the
  request starts, so execute_input -> execute_reply cannot be used with this kernel.
- tslab floor of a notebook: kernel start + trivial cell × number of code cells. The course's floor is the
  sum over notebooks (each notebook starts its own kernel).
- training cells: code cells tagged "training" in their metadata (they call the trainer). Issue 15 lets such a cell
  take up to 15 s if it prints its progress; every other cell has 2 s. The course is also reported without them.
Goals (issues 7 and 15): course run-all <= 2 x floor; no cell over 2 s except training cells (<= 15 s).
The kernelspec is found through JUPYTER_PATH, or else any kernels/tslab/kernel.json in the project
(.venv/share/jupyter, .jupyter, jupyter, build/jupyter).
"""
import argparse
import copy
import glob
import json
import os
import statistics
import sys
import time
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _find_kernelspec():
    """Point JUPYTER_PATH at the project's tslab kernelspec when Jupyter cannot already see one."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("tslab")
        return
    except NoSuchKernel:
        pass
    for base in [".venv/share/jupyter", ".jupyter", "jupyter", "build/jupyter", ".venv/etc/jupyter"]:
        for spec in glob.glob(os.path.join(ROOT, base, "**", "kernels", "tslab", "kernel.json"), recursive=True):
            data_dir = os.path.dirname(os.path.dirname(os.path.dirname(spec)))
            os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [data_dir, os.environ.get("JUPYTER_PATH")]))
            return
    raise SystemExit("no tslab kernelspec found: set JUPYTER_PATH or run npm start once")


def _ts(value):
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def cell_seconds(cell):
    """Client-side wall time of one executed code cell (set by _TimedClient), or None."""
    return cell.get("metadata", {}).get("bench_wall_s")


def kernel_busy_seconds(cell):
    """The kernel's busy -> idle span for one cell, from nbclient's recorded timestamps, or None."""
    ex = cell.get("metadata", {}).get("execution", {})
    if "iopub.status.busy" in ex and "iopub.status.idle" in ex:
        return _ts(ex["iopub.status.idle"]) - _ts(ex["iopub.status.busy"])
    return None


def _timed_client_class():
    from nbclient import NotebookClient

    class _TimedClient(NotebookClient):
        """NotebookClient that stores each cell's wall time in cell.metadata.bench_wall_s (removed before saving)."""

        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
            finally:
                cell.metadata["bench_wall_s"] = time.perf_counter() - t0

    return _TimedClient


def kernel_start_seconds(repeats=3):
    from jupyter_client.manager import KernelManager

    samples = []
    for _ in range(repeats):
        km = KernelManager(kernel_name="tslab")
        t0 = time.perf_counter()
        km.start_kernel(cwd=os.path.join(ROOT, "notebooks") if os.path.isdir(os.path.join(ROOT, "notebooks")) else ROOT)
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        samples.append(time.perf_counter() - t0)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return statistics.median(samples), samples


def run_notebook(nb, cwd):
    client = _timed_client_class()(nb, kernel_name="tslab", timeout=600, record_timing=True,
                            resources={"metadata": {"path": cwd}})
    t0 = time.perf_counter()
    error = None
    try:
        client.execute()
    except Exception as exc:  # a failing notebook is reported, not fatal to the benchmark
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"[:300]
    return time.perf_counter() - t0, error


def trivial_cell_seconds(cells=21):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1 + 1") for _ in range(cells)]
    _, error = run_notebook(nb, ROOT)
    if error:
        raise SystemExit(f"trivial notebook failed: {error}")
    times = [cell_seconds(c) for c in nb.cells]
    return statistics.median([t for t in times[1:] if t is not None]), times[0]


def main():
    import nbformat

    ap = argparse.ArgumentParser()
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--merge", help="results.json to merge into (key 'notebooks')")
    args = ap.parse_args()
    _find_kernelspec()
    paths = args.notebooks or sorted(p for p in glob.glob(os.path.join(ROOT, "notebooks", "**", "*.ipynb"), recursive=True)
                                      if ".ipynb_checkpoints" not in p)
    t_all = time.perf_counter()
    kstart, ksamples = kernel_start_seconds()
    trivial, first_trivial = trivial_cell_seconds()
    print(f"kernel start {kstart:.2f} s {['%.2f' % s for s in ksamples]}, trivial cell {trivial:.3f} s (first {first_trivial:.3f} s)",
          file=sys.stderr)
    rows = []
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        nb = copy.deepcopy(nb)
        run_s, error = run_notebook(nb, os.path.dirname(p))
        code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        times = [(i, cell_seconds(c)) for i, c in code]
        timed = [(i, t) for i, t in times if t is not None]
        busy = [kernel_busy_seconds(c) for _, c in code]
        slow_i, slow_t = max(timed, key=lambda it: it[1]) if timed else (None, None)
        training = {i for i, c in code if "training" in c.get("metadata", {}).get("tags", [])}
        floor = kstart + trivial * len(code)
        row = {"notebook": os.path.relpath(p, ROOT), "codeCells": len(code), "runAllS": run_s,
               "cellsS": sum(t for _, t in timed), "kernelBusyS": sum(b for b in busy if b is not None),
               "cellTimesS": [round(t, 4) for _, t in timed], "floorS": floor, "ratioToFloor": run_s / floor,
               "slowestCellS": slow_t, "slowestCellIndex": slow_i,
               "trainingCells": sorted(training), "trainingCellsS": sum(t for i, t in timed if i in training),
               "cellsOver2s": [{"index": i, "seconds": t} for i, t in timed if t > 2.0 and i not in training],
               "trainingCellsOver15s": [{"index": i, "seconds": t} for i, t in timed if t > 15.0 and i in training],
               "slowestTrainingCellS": max((t for i, t in timed if i in training), default=None),
               "slowestOtherCellS": max((t for i, t in timed if i not in training), default=None), "error": error}
        rows.append(row)
        print(f"{row['notebook']}: {len(code)} code cells, run-all {run_s:.2f} s, floor {floor:.2f} s, "
              f"slowest cell #{slow_i} {slow_t if slow_t is None else round(slow_t, 2)} s" + (f", ERROR {error}" if error else ""),
              file=sys.stderr)
    course = None
    if rows:
        run_all = sum(r["runAllS"] for r in rows)
        floor = sum(r["floorS"] for r in rows)
        slowest = max(rows, key=lambda r: r["slowestCellS"] or 0)
        training = sum(r["trainingCellsS"] for r in rows)
        course = {"notebooks": len(rows), "codeCells": sum(r["codeCells"] for r in rows), "runAllS": run_all, "floorS": floor,
                  "ratioToFloor": run_all / floor, "slowestCellS": slowest["slowestCellS"],
                  "slowestCell": f"{slowest['notebook']} #{slowest['slowestCellIndex']}",
                  "trainingCellsS": training, "runAllWithoutTrainingS": run_all - training,
                  "ratioWithoutTraining": (run_all - training) / floor,
                  "slowestTrainingCellS": max((r["slowestTrainingCellS"] for r in rows if r["slowestTrainingCellS"] is not None), default=None),
                  "slowestOtherCellS": max((r["slowestOtherCellS"] for r in rows if r["slowestOtherCellS"] is not None), default=None),
                  "goalRunAllWithin2xFloor": run_all <= 2 * floor,
                  "goalNoCellOver2s": all(not r["cellsOver2s"] for r in rows),
                  "goalTrainingCellsWithin15s": all(not r["trainingCellsOver15s"] for r in rows),
                  "errors": [r["notebook"] for r in rows if r["error"]]}
    result = {"kernelStartS": kstart, "kernelStartSamplesS": ksamples, "trivialCellS": trivial, "firstTrivialCellS": first_trivial,
              "method": __doc__.split("Method")[1].split("Goals")[0].strip(),
              "notebooks": rows, "course": course, "benchSeconds": time.perf_counter() - t_all}
    if args.merge:
        data = {}
        if os.path.exists(args.merge):
            with open(args.merge) as f:
                data = json.load(f)
        data["notebooks"] = result
        with open(args.merge, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
    else:
        json.dump(result, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
