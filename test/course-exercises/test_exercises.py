"""Every notebook's exercises (docs/exercises.md), found by cell tag, so new notebooks are picked up on their own:

* the pairing: each `exercise` cell (id in its first line) is followed by its `exercise-check` cell, whose label
  starts with the id, and notebooks/solutions/<same name>.ipynb has one `solution` and at least one `wrong` cell for it;
* (the notebook as committed, every check saying "○ not tried yet", is checked on the notebook stage's own run of it:
  test/notebooks/test_notebooks.py::test_as_committed_nothing_is_tried_and_nothing_revealed);
* the notebook solved: each wrong answer, put in place of the exercise cell and followed by a copy of the check,
  prints ✗; then the solution in its place prints ✓, and the rest of the notebook runs on after it;
* hints escalate idea → formula → code over changed wrong attempts (notebook 14), and progress is recorded.

All through the real tslab kernel (test/notebooks/nbrun.py), so the checks are tested exactly as a learner runs them.
Nothing here writes build/executed/<name> (only build/executed/course-exercises/): npm test runs this suite beside
the notebook stage, handouts and browser, which read those copies.
Run: `npm run test:exercises` (or .venv/bin/python -m pytest test/course-exercises -v).
"""
from __future__ import annotations

import copy
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
from exercises import pairs as _pairs, solutions as _solutions, stdout as _stdout, tags as _tags, verdict as _verdict, with_exercises  # noqa: E402
from nbrun import EXECUTED, NOTEBOOKS, run_notebook  # noqa: E402

OUT = EXECUTED / "course-exercises"
# Kernels inherit this: the learner's own ~/.mha-lab/progress.json is never touched by the tests.
PROGRESS = Path(tempfile.mkdtemp(prefix="mha-progress-")) / "progress.json"
os.environ["MHA_LAB_PROGRESS"] = str(PROGRESS)

WITH_EXERCISES = with_exercises()


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=[p.name for p in WITH_EXERCISES])
def test_every_exercise_has_a_check_a_solution_and_a_wrong_answer(path: Path):
    nb = nbformat.read(path, as_version=4)
    pairs = _pairs(nb)
    ids = [ex for _, _, ex in pairs]
    assert len(ids) == len(set(ids)), f"{path.name}: duplicate exercise ids {ids}"
    prefix = path.name.split("-")[0]
    assert all(ex.split(".")[0] == prefix for ex in ids), f"{path.name}: ids must start with the notebook's number {prefix}: {ids}"
    sol = _solutions(path)
    assert set(sol) == set(ids), f"{path.name}: solutions for {sorted(sol)} but exercises {ids}"
    for ex in ids:
        assert len(sol[ex]["solution"]) == 1, f"{ex}: needs exactly one solution cell, has {len(sol[ex]['solution'])}"
        assert sol[ex]["wrong"], f"{ex}: needs at least one typical wrong answer (a cell tagged wrong)"
    for i in range(len(nb.cells)):
        assert not {"solution", "wrong"} & set(_tags(nb.cells[i])), f"{path.name} cell {i}: solutions live in notebooks/solutions/"


def test_every_notebook_from_02_has_exercises():
    names = {p.name.split("-")[0] for p in WITH_EXERCISES}
    mine = {f"{n:02d}" for n in range(2, 12)} | {"14"}
    assert mine <= names, f"notebooks without exercises: {sorted(mine - names)}"


def _solved(path: Path) -> tuple[nbformat.NotebookNode, list[tuple[str, int]], list[tuple[str, int]]]:
    """The notebook with its exercises answered: the first wrong answer in place of the exercise cell, then at the
    check: the check, each further wrong answer and the check again, the solution and the check. The cells between
    an exercise and its check never read the answer, so they run as committed. Returns the notebook with (id, cell
    index) of each wrong answer's check output and each solution's."""
    nb = nbformat.read(path, as_version=4)
    sol = _solutions(path)
    at_exercise = {i: ex for i, _, ex in _pairs(nb)}
    at_check = {j: ex for _, j, ex in _pairs(nb)}
    cells, wrong_at, right_at = [], [], []
    add = lambda src, tag: cells.append(nbformat.v4.new_code_cell(src, metadata={"tags": [tag]}))  # noqa: E731
    for i, c in enumerate(nb.cells):
        if i in at_exercise:
            add(sol[at_exercise[i]]["wrong"][0], "wrong")
        elif i in at_check:
            ex = at_check[i]
            for k, w in enumerate(sol[ex]["wrong"]):
                if k > 0:
                    add(w, "wrong")
                add(c.source, "wrong-check")
                wrong_at.append((ex, len(cells) - 1))
            add(sol[ex]["solution"][0], "solution")
            add(c.source, "exercise-check")
            right_at.append((ex, len(cells) - 1))
        else:
            cells.append(copy.deepcopy(c))
    nb.cells = cells
    return nb, wrong_at, right_at


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=[p.name for p in WITH_EXERCISES])
def test_solutions_pass_and_typical_wrong_answers_fail(path: Path, tmp_path: Path):
    nb, wrong_at, right_at = _solved(path)
    solved = tmp_path / path.name
    nbformat.write(nb, solved)
    ran = run_notebook(solved, out_dir=OUT, cwd=NOTEBOOKS)
    for ex, j in wrong_at:
        out = _verdict(ran.cells[j])
        assert out.startswith(("✗ not yet: " + ex, "✗ predicted ")) and "✓" not in out, f"{path.name} {ex}: a wrong answer was not refused: {out!r}"
    for ex, j in right_at:
        out = _verdict(ran.cells[j])
        assert out.startswith(("✓ right: " + ex, "✓ predicted right: " + ex)) and "✗" not in out, f"{path.name} {ex}: the solution was not accepted: {out!r}"
    done = json.loads(PROGRESS.read_text()) if PROGRESS.exists() else {}
    assert all(done.get(ex, {}).get("state") == "done" for ex, _ in right_at), f"progress not recorded for {path.name}: {done}"


# --- Hints escalate over changed wrong attempts (on notebook 14's first build-it exercise). -----------------

def test_hints_escalate_over_changed_wrong_attempts(tmp_path: Path):
    """The notebook up to exercise 14.1's check, then wrong attempts (one rerun unchanged) and the solution, each
    followed by the same check: ○ (stub) → 1/3 → 1/3 (same output, not a new attempt) → 2/3 → 3/3 → ✓. The code
    hint appears only after two changed wrong attempts."""
    path = NOTEBOOKS / "14-exercises.ipynb"
    nb = nbformat.read(path, as_version=4)
    i, j, ex = next(p for p in _pairs(nb) if p[2] == "14.1")
    assert j == i + 1, "14.1's check should follow it"
    check = nb.cells[j].source
    sol = _solutions(path)["14.1"]
    tries = [sol["wrong"][0], None, ESCALATION_WRONG[0], ESCALATION_WRONG[1], sol["solution"][0]]
    extra = []
    for t in tries:
        if t is not None:
            extra.append(nbformat.v4.new_code_cell(t))
        extra.append(nbformat.v4.new_code_cell(check, metadata={"tags": ["escalation"]}))
    nb.cells = nb.cells[: i + 2] + extra
    p = tmp_path / "14-escalation.ipynb"
    nbformat.write(nb, p)
    ran = run_notebook(p, out_dir=None, cwd=NOTEBOOKS)
    assert _stdout(ran.cells[i + 1]).startswith("○ not tried yet: 14.1")
    outs = [_stdout(c) for c in ran.cells if "escalation" in _tags(c)]
    levels = [re.search(r"— hint (\d)/3: ", o).group(1) if o.startswith("✗") else o[:1] for o in outs]
    assert levels == ["1", "1", "2", "3", "✓"], "\n".join(outs)
    assert all(HINT_CODE_MARK not in o for o in outs[:3]) and HINT_CODE_MARK in outs[3], "only the third hint shows code"


# Two more wrong answers to exercise 14.1 (different outputs), and a string only its code hint contains.
ESCALATION_WRONG = [
    "// Exercise 14.1: wrong — all zeros\nfunction myPreviousTokenWeights(L: number): number[][] | null { return Array.from({ length: L }, () => Array(L).fill(0)); }",
    "// Exercise 14.1: wrong — the diagonal\nfunction myPreviousTokenWeights(L: number): number[][] | null { return Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => (i === j ? 1 : 0))); }",
]
HINT_CODE_MARK = "Array.from"
