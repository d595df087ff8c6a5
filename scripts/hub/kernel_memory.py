"""A learner's kernel memory per notebook: run each notebook with nbclient on the tslab kernel, then read the
kernel's peak (VmHWM) and current (VmRSS) resident memory from /proc, for the hub's per-learner memory limit.

    .venv/bin/python scripts/hub/kernel_memory.py notebooks/13c-inside-a-chat-model.ipynb [more.ipynb ...] [--out f.json]

(it finds the project's tslab kernelspec in .venv/share/jupyter, as `npm run nb` does; Linux only: /proc).
Each notebook gets a fresh kernel, as a learner opening it does. Per notebook it prints one JSON line:
{notebook, seconds, kernel: {pid, vmhwm_mb, vmrss_mb, processes, cpu_s}, baseline: {vmrss_mb, cpu_s} (the kernel
after start, before any cell), peak_rises: the code cells after which the peak rose by more than 20 MiB}. "mb" is
MiB (/proc's kB ÷ 1024). The kernel's process tree is summed (tslab runs as one node process; children would count).
The JupyterLab server the learner also runs is not here: `npm run hub:loadtest -- --users 1 --notebook …` measures
server and kernel together inside the hub (docs/workshop.md, "How many learners one box holds").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _status_kb(pid: int, field: str) -> int:
    """One field of /proc/PID/status, in kB (VmHWM: peak resident set, VmRSS: now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(f"{field} not in /proc/{pid}/status")


def _tree(pid: int) -> list[int]:
    """pid and all its descendants, from /proc/*/stat (no psutil needed)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (/proc/PID/stat utime, stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> dict:
    """Peak (VmHWM) and current (VmRSS) resident MiB of pid's process tree, and its CPU seconds so far."""
    procs = _tree(pid)
    mb = lambda field: sum(_status_kb(p, field) for p in procs) / 1024  # noqa: E731
    return {"pid": pid, "vmhwm_mb": round(mb("VmHWM"), 1), "vmrss_mb": round(mb("VmRSS"), 1), "processes": len(procs),
            "cpu_s": round(sum(_cpu_s(p) for p in procs), 2)}


def measure(path: Path, timeout: float) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="tslab", timeout=timeout, resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        baseline = memory(pid)
        rises = []  # the cells after which the peak rose by more than 20 MB: where the memory goes
        hwm = baseline["vmhwm_mb"]
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            if cell.cell_type == "code":
                now = memory(pid)
                if now["vmhwm_mb"] - hwm > 20:
                    first = next((l for l in cell.source.splitlines() if l.strip() and not l.startswith("//")), "")
                    rises.append({"cell": index, "first_line": first[:80], "vmhwm_mb": now["vmhwm_mb"], "vmrss_mb": now["vmrss_mb"]})
                hwm = now["vmhwm_mb"]
        kernel = memory(pid)
    return {"notebook": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
            "seconds": round(time.perf_counter() - t0, 1), "kernel": kernel, "baseline": {"vmrss_mb": baseline["vmrss_mb"], "cpu_s": baseline["cpu_s"]}, "peak_rises": rises,
            "loadavg": [round(x, 2) for x in os.getloadavg()], "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def main(argv=None) -> int:
    os.environ.setdefault("JUPYTER_PATH", str(ROOT / ".venv" / "share" / "jupyter"))  # the tslab kernelspec
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per cell (default 600)")
    ap.add_argument("--out", help="also write the results as a JSON list")
    args = ap.parse_args(argv)
    results = []
    for nb in args.notebooks:
        path = Path(nb).resolve()
        if not path.exists():
            raise SystemExit(f"{nb}: no such notebook")
        r = measure(path, args.timeout)
        print(json.dumps(r), flush=True)
        results.append(r)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
