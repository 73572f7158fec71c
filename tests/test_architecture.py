"""The core never imports a face: the import-linter contract in pyproject.toml, checked on every run."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contract_is_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is a dev dependency"
    p = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    assert "broken" in p.stdout and "0 broken" in p.stdout


def test_the_contract_covers_every_core_module():
    """A new core module is under the contract without anyone remembering to add it."""
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    faces = {"cli", "__main__", "__init__", "tui"}
    core = {f"taxcalc.{p.stem if p.is_file() else p.name}" for p in (ROOT / "taxcalc").iterdir()
            if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())) and p.stem not in faces}
    assert core <= set(contract["source_modules"]), sorted(core - set(contract["source_modules"]))
