"The project's shape: nbdev 3 settings, notebooks clean and in sync, the library importable."
import importlib, json, re, tomllib
from pathlib import Path
import pytest
from conftest import ROOT, BIN, run

def test_nbdev3_settings_in_pyproject():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    nb = cfg["tool"]["nbdev"]
    assert not (ROOT / "settings.ini").exists(), "nbdev 3 refuses settings.ini"
    assert set(nb["tst_flags"].split()) == {"notest", "slow", "gpu"}
    assert "tags" in nb["allowed_cell_metadata_keys"]
    assert cfg["project"]["requires-python"] == ">=3.12"
    assert cfg["project"]["scripts"]["xlstm-study"] == "xlstm_study.study.cli:main"

def test_every_module_imports():
    lib = ROOT / "xlstm_study"
    mods = sorted(".".join(p.relative_to(lib).with_suffix("").parts) for p in lib.rglob("*.py") if not p.stem.startswith("_"))
    assert {"core", "registry", "metrics", "data.candles", "data.features", "data.labels", "data.splits", "data.panel",
            "models.baselines", "models.xlstm", "training.fit", "trading.ledger", "trading.simulation", "trading.rl.env",
            "trading.rl.policy", "trading.rl.ppo", "study.runner", "study.cli", "study.bench"} <= set(mods)
    for m in mods: importlib.import_module(f"xlstm_study.{m}")

def test_notebooks_are_clean_and_keep_the_parameters_tag():
    for nb in (ROOT / "nbs").glob("*.ipynb"):
        d = json.loads(nb.read_text())
        for c in d["cells"]:
            if c["cell_type"] == "code":
                assert c.get("execution_count") is None and not c.get("outputs"), f"{nb.name} is not clean (run nbdev-clean)"
    study = json.loads((ROOT / "nbs" / "90_study.ipynb").read_text())
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in study["cells"])

def test_library_matches_the_notebooks(tmp_path):
    "nbdev-export of the notebooks reproduces xlstm_study/ exactly (nobody edited the library by hand)."
    import shutil
    for part in ("nbs", "xlstm_study", "pyproject.toml"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / part)
    lib = tmp_path / "xlstm_study"
    before = {str(p.relative_to(lib)): p.read_text() for p in lib.rglob("*.py")}
    r = run([str(BIN / "nbdev-export")], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    after = {str(p.relative_to(lib)): p.read_text() for p in lib.rglob("*.py")}
    assert after == before, [k for k in after if after[k] != before.get(k)]

def _nbdev_project(tmp_path, cell_source):
    tmp_path.mkdir()
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text().replace('lib_path = "xlstm_study"', 'lib_path = "probe"'))
    (tmp_path / "probe").mkdir(); (tmp_path / "probe" / "__init__.py").write_text("")
    (tmp_path / "nbs").mkdir()
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": None},
                    {"cell_type": "code", "metadata": {}, "source": cell_source, "outputs": [], "execution_count": None}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nbs" / "probe.ipynb").write_text(json.dumps(nb))
    return run([str(BIN / "nbdev-test")], cwd=tmp_path)

def test_nbdev_test_fails_when_a_cell_raises(tmp_path):
    "The test command really executes cells: a raising cell fails it, a passing one does not."
    bad = _nbdev_project(tmp_path / "bad", "raise ValueError('this cell must fail the test run')")
    assert bad.returncode != 0 and "this cell must fail" in bad.stdout + bad.stderr
    good = _nbdev_project(tmp_path / "good", "assert x == 1")
    assert good.returncode == 0, good.stdout + good.stderr
    slow = _nbdev_project(tmp_path / "slow", "#| slow\nraise ValueError('slow cells are skipped')")
    assert slow.returncode == 0, slow.stdout + slow.stderr

def test_makefile_and_ci_use_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    mk = (ROOT / "Makefile").read_text()
    for target in ("setup:", "study:", "test:", "bench:"): assert target in mk
    readme = (ROOT / "README.md").read_text()
    assert "make study" in readme and "make test" in readme and "nbdev-test" in readme
