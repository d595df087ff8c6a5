import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def pytest_addoption(parser):
    parser.addoption(
        "--notebooks",
        nargs="+",
        default=None,
        help="notebook files to check and run (default: notebooks/*.ipynb)",
    )
