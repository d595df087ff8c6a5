"""Exercise notebooks: the learner version says "not yet" for every exercise, the solutions say ✓,
and a plausible wrong answer is caught. Runs both notebooks through the real tslab kernel
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
        if i in ex:
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
        assert out.startswith("✗ not yet:") and "— hint: " in out and "✓" not in out, f"learner cell {i} printed {out!r}"
    score = _stdout(learner_run.cells[-2])
    assert f"0 of {len(checks)} exercises right" in score, f"score cell says {score!r}"


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
