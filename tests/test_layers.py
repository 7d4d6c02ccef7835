"The layering of the library (pyproject's import-linter contract): no module imports from a layer above it."
import shutil, textwrap
from pathlib import Path
import pytest
from conftest import ROOT, BIN, run

def lint(root: Path):
    "Run import-linter with the project's contract on the package under `root`."
    return run([str(BIN / "lint-imports"), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root,
               env={"PYTHONPATH": str(root), "PATH": str(BIN)})

def test_the_layers_hold():
    r = lint(ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "1 kept, 0 broken" in r.stdout

@pytest.mark.parametrize("module,planted", [
    ("data/candles.py", "def _peek():\n    from xlstm_study.study.runner import run_study   # upward, hidden in a function\n"),
    ("core.py", "import xlstm_study.trading.ledger\n"),
    ("models/baselines.py", "from xlstm_study.trading.simulation import backtest\n"),   # independent siblings
])
def test_a_planted_upward_import_breaks_the_contract(tmp_path, module, planted):
    shutil.copytree(ROOT / "xlstm_study", tmp_path / "xlstm_study", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert lint(tmp_path).returncode == 0                     # the copy is clean
    target = tmp_path / "xlstm_study" / module
    target.write_text(target.read_text() + "\n" + planted)
    r = lint(tmp_path)
    assert r.returncode != 0 and "BROKEN" in r.stdout, r.stdout[-2000:]
    print(r.stdout[r.stdout.index("Broken contracts"):][:1200] if "Broken contracts" in r.stdout else r.stdout[-1200:])
