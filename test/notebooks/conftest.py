import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# Kernels inherit this: a check cell records progress here, and notebook 14's progress() cell reads it, never the
# learner's own ~/.mha-lab/progress.json (test/course-exercises sets its own the same way).
os.environ["MHA_LAB_PROGRESS"] = str(Path(tempfile.mkdtemp(prefix="mha-progress-")) / "progress.json")


def pytest_addoption(parser):
    parser.addoption(
        "--notebooks",
        nargs="+",
        default=None,
        help="notebook files to check and run (default: notebooks/*.ipynb)",
    )
