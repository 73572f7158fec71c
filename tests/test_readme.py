"""The README stays true: every batch column is documented, and the two commands are there."""

from pathlib import Path

from taxcalc.figures import NAMES as RESULT_NAMES
from taxcalc.scenario import INPUT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_column_is_documented():
    missing = [c for c in INPUT_COLUMNS + RESULT_NAMES if f"| `{c}` |" not in README]
    assert not missing


def test_the_two_commands_and_ci_agree():
    assert "bash setup.sh" in README and ".venv/bin/python -m pytest" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash setup.sh" in ci and ".venv/bin/python -m pytest" in ci
