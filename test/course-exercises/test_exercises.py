"""Exercise notebooks: the learner version says "not yet" for every exercise, the solutions say ✓,
a plausible wrong answer is caught, hints escalate (concept → formula → code) over changed wrong
attempts, and predict-then-reveal cells say right / not predicted. Runs both notebooks through the real tslab kernel
(test/notebooks/nbrun.py), so the check cells are tested exactly as a learner runs them.

Run: `npm run test:exercises` (or .venv/bin/python -m pytest test/course-exercises -v).
"""
from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
from nbrun import EXECUTED, NOTEBOOKS, run_notebook  # noqa: E402

LEARNER = NOTEBOOKS / "14-exercises.ipynb"
SOLUTIONS = NOTEBOOKS / "14-exercises-solutions.ipynb"
OUT = EXECUTED / "course-exercises"


def _tagged(nb, tag: str) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if tag in c.get("metadata", {}).get("tags", [])]


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stdout")


@pytest.fixture(scope="module")
def learner_run():
    return run_notebook(LEARNER, out_dir=OUT)


@pytest.fixture(scope="module")
def solutions_run():
    return run_notebook(SOLUTIONS, out_dir=OUT)


def test_same_notebook_except_the_exercise_cells():
    a, b = nbformat.read(LEARNER, as_version=4), nbformat.read(SOLUTIONS, as_version=4)
    assert len(a.cells) == len(b.cells), f"learner has {len(a.cells)} cells, solutions {len(b.cells)}"
    ex = _tagged(a, "exercise")
    assert ex == _tagged(b, "exercise") and len(ex) >= 5, f"exercise cells differ or are too few: {ex} vs {_tagged(b, 'exercise')}"
    assert len(_tagged(a, "exercise-check")) == len(ex), "each exercise needs exactly one check cell tagged exercise-check"
    for i, (ca, cb) in enumerate(zip(a.cells, b.cells)):
        if i in _tagged(a, "prediction"):
            assert i in _tagged(b, "prediction"), f"cell {i}: a prediction in the learner notebook only"
            assert "null; // TODO" in ca.source and "TODO" not in cb.source and "null;" not in cb.source, \
                f"cell {i}: the learner's prediction should be null with a TODO, the solution's filled in"
        elif i in ex:
            assert ca.source != cb.source, f"cell {i}: the solution is identical to the stub"
            fa = re.search(r"function (\w+)\(", ca.source)
            fb = re.search(r"function (\w+)\(", cb.source)
            assert fa and fb and fa.group(1) == fb.group(1), f"cell {i}: stub and solution define different functions"
            assert "TODO" in ca.source and "TODO" not in cb.source, f"cell {i}: the stub should say TODO, the solution should not"
        elif ca.cell_type == "markdown" and i == 0:
            continue  # the title and intro say which version this is
        else:
            assert ca.source == cb.source, f"cell {i} differs between the learner and solutions notebooks"


def test_solutions_every_check_is_right(solutions_run):
    checks = _tagged(solutions_run, "exercise-check")
    for i in checks:
        out = _stdout(solutions_run.cells[i])
        assert out.startswith("✓ right:") and "✗" not in out, f"solutions cell {i} did not print ✓: {out!r}"
    score = _stdout(solutions_run.cells[-2]) if "results" in solutions_run.cells[-2].source else ""
    assert f"{len(checks)} of {len(checks)} exercises right" in score, f"score cell says {score!r}"


def test_learner_every_check_says_not_yet_with_a_hint(learner_run):
    checks = _tagged(learner_run, "exercise-check")
    for i in checks:
        out = _stdout(learner_run.cells[i])
        assert out.startswith("✗ not yet:") and re.search(r"— hint( 1/\d)?: ", out) and "✓" not in out, f"learner cell {i} printed {out!r}"
    score = _stdout(learner_run.cells[-2])
    assert f"0 of {len(checks)} exercises right; 0 of 3 predictions right" in score, f"score cell says {score!r}"


def test_reveal_cells(learner_run, solutions_run):
    reveals = _tagged(solutions_run, "reveal")
    assert len(reveals) == 3 and len(_tagged(solutions_run, "prediction")) == 3, "three predictions, each with a reveal cell"
    for i in reveals:
        sol, learn = _stdout(solutions_run.cells[i]), _stdout(learner_run.cells[i])
        assert sol.startswith("✓ predicted right:"), f"solutions reveal cell {i} printed {sol!r}"
        assert learn.startswith("? ") and "you made no prediction; the answer is" in learn, f"learner reveal cell {i} printed {learn!r}"


SOLUTIONS_SOFTMAX = """function mySoftmaxRows(x: number[][]): number[][] {
  return x.map((row) => { const m = Math.max(...row); const e = row.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); });
}"""


# Plausible mistakes a learner makes; each must be caught by its own check, and only by it.
MISTAKES = {
    "mySoftmaxRows": ("const m = Math.max(...row);", "const m = 0;"),                    # no max subtraction: overflows
    "myAttention": ("/ Math.sqrt(dK)", ""),                                               # forgot the 1/√dK scale
    "myCausalMask": ("j > i", "j >= i"),                                                  # masks the diagonal too
}


def test_plausible_mistakes_are_caught(tmp_path: Path):
    nb = nbformat.read(SOLUTIONS, as_version=4)
    broken = copy.deepcopy(nb)
    hit = set()
    for i in _tagged(broken, "exercise"):
        for fn, (old, new) in MISTAKES.items():
            if f"function {fn}(" in broken.cells[i].source:
                assert old in broken.cells[i].source, f"{fn}: the solution no longer contains {old!r}; update MISTAKES"
                broken.cells[i].source = broken.cells[i].source.replace(old, new)
                hit.add(fn)
    assert hit == set(MISTAKES), f"mistakes not applied: {set(MISTAKES) - hit}"
    path = tmp_path / "14-exercises-broken.ipynb"
    nbformat.write(broken, path)
    ran = run_notebook(path, out_dir=None, cwd=NOTEBOOKS)
    outs = [_stdout(ran.cells[i]) for i in _tagged(ran, "exercise-check")]
    wrong = [o.split(":")[1].split("—")[0].strip() for o in outs if o.startswith("✗ not yet:")]
    assert wrong == ["softmax of each row", "scaled dot-product attention, one head", "causal mask (true = not allowed)"], \
        f"expected exactly the three broken exercises to be flagged, got {wrong}\n" + "\n".join(outs)
    assert sum(o.startswith("✓ right:") for o in outs) == len(outs) - 3


def _code(source: str, tags=None) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": tags or []})


def test_hints_escalate_over_changed_wrong_attempts(tmp_path: Path):
    """The learner notebook, then three more wrong softmax attempts (one rerun unchanged) and a right one, each
    followed by the same check cell: hint 1/3 (the stub) → 2/3 → 2/3 (same output, not a new attempt) → 3/3 → 3/3 → ✓."""
    nb = nbformat.read(LEARNER, as_version=4)
    stub = next(i for i in _tagged(nb, "exercise") if "function mySoftmaxRows(" in nb.cells[i].source)
    check = nb.cells[stub + 1].source
    assert "exercise(\"softmax of each row\"" in check, "the cell after the softmax stub should be its check"
    tries = [
        "function mySoftmaxRows(x: number[][]): number[][] { return x.map((row) => row.map(() => 0)); }",                 # all zeros
        None,                                                                                                          # rerun as is
        "function mySoftmaxRows(x: number[][]): number[][] { return x.map((row) => row.map((v) => Math.exp(v))); }",     # no normalisation
        "function mySoftmaxRows(x: number[][]): number[][] { return x.map((row) => row.map(() => 1 / row.length)); }",   # uniform
        SOLUTIONS_SOFTMAX,
    ]
    extra = []
    for t in tries:
        if t is not None:
            extra.append(_code(t))
        extra.append(_code(check, ["escalation"]))
    nb.cells = nb.cells[: stub + 2] + extra
    path = tmp_path / "14-exercises-escalation.ipynb"
    nbformat.write(nb, path)
    ran = run_notebook(path, out_dir=None, cwd=NOTEBOOKS)
    first = _stdout(ran.cells[stub + 1])
    outs = [_stdout(c) for c in ran.cells if "escalation" in c.get("metadata", {}).get("tags", [])]
    assert "— hint 1/3: softmax turns each row" in first, first
    levels = [re.search(r"— hint (\d)/3: ", o).group(1) if o.startswith("✗") else "✓" for o in outs]
    assert levels == ["2", "2", "3", "3", "✓"], "\n".join(outs)
    assert "got 0 at [0][2] where 0.6652409557748218 was expected (|diff| = 0.665241)" in outs[0], outs[0]  # the numbers, unrounded
    assert "Math.max(...row)" in outs[2] and "Math.max(...row)" not in outs[0], "only the third hint shows code"
