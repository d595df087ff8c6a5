"""Reading a notebook's exercises (docs/exercises.md), shared by test/notebooks (the notebook as committed: every check
says "not tried yet") and test/course-exercises (the notebook solved: wrong answers refused, the solution accepted).

An `exercise` cell starts with "// Exercise NN.k: …" and leaves its answer null with a TODO; the next `exercise-check`
cell checks it, its label starting with the id; notebooks/solutions/<same name> holds one `solution` and at least one
`wrong` cell per id.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from nbrun import NOTEBOOKS

SOLUTIONS = NOTEBOOKS / "solutions"
ID_LINE = re.compile(r"^// Exercise (\d{2}[a-z]?\.\d+): ")


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def tagged(nb, tag: str) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if tag in tags(c)]


def stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stdout")


def verdict(cell) -> str:
    """The check's verdict: its last stdout line that starts with ✓, ✗ or ○ (a training check prints progress first)."""
    lines = [ln for ln in stdout(cell).splitlines() if ln.startswith(("✓", "✗", "○"))]
    return lines[-1] if lines else stdout(cell)


def exercise_id(cell) -> str | None:
    m = ID_LINE.match(cell.source)
    return m.group(1) if m else None


def with_exercises(paths: list[Path] | None = None) -> list[Path]:
    """The notebooks (default: notebooks/*.ipynb) that have at least one `exercise` cell."""
    paths = sorted(NOTEBOOKS.glob("*.ipynb")) if paths is None else paths
    return [p for p in paths if tagged(nbformat.read(p, as_version=4), "exercise")]


def solutions(path: Path) -> dict[str, dict[str, list[str]]]:
    """id → {"solution": [sources], "wrong": [sources]} from notebooks/solutions/<name>."""
    sol = SOLUTIONS / path.name
    assert sol.exists(), f"{path.name} has exercises but no {sol.relative_to(NOTEBOOKS.parent)}"
    nb = nbformat.read(sol, as_version=4)
    out: dict[str, dict[str, list[str]]] = {}
    for i, c in enumerate(nb.cells):
        kind = "solution" if "solution" in tags(c) else "wrong" if "wrong" in tags(c) else None
        if kind is None:
            continue
        ex = exercise_id(c)
        assert ex, f"{sol.name} cell {i} is tagged {kind} but its first line is not '// Exercise NN.k: …'"
        out.setdefault(ex, {"solution": [], "wrong": []})[kind].append(c.source)
    return out


def pairs(nb) -> list[tuple[int, int, str]]:
    """(index of the exercise cell, index of its check cell, id): the check is the next `exercise-check` cell, before
    any other exercise cell, and its label starts with the id."""
    out = []
    for i in tagged(nb, "exercise"):
        c = nb.cells[i]
        ex = exercise_id(c)
        assert ex, f"exercise cell {i} must start with '// Exercise NN.k: <what to do>', starts {c.source[:60]!r}"
        assert "null" in c.source and "TODO" in c.source, f"exercise {ex}: the stub must leave the answer null with a TODO"
        j = next((j for j in range(i + 1, len(nb.cells)) if {"exercise", "exercise-check"} & set(tags(nb.cells[j]))), None)
        assert j is not None and "exercise-check" in tags(nb.cells[j]), f"exercise {ex}: its check (a cell tagged exercise-check) must come next"
        assert re.search(r"\b(?:exercise|reachTarget|reveal)\(\s*[\"'`]" + re.escape(ex) + r"\s", nb.cells[j].source), \
            f"exercise {ex}: its check's label must start with \"{ex} \""
        out.append((i, j, ex))
    return out
