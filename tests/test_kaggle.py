"The Kaggle kernel: metadata, and the driver run locally against a fake /kaggle/input."
import json, os, shutil
from importlib import metadata
from pathlib import Path
import pytest
from conftest import ROOT

KAGGLE = ROOT / "kaggle"

def test_kernel_metadata():
    m = json.loads((KAGGLE / "kernel-metadata.json").read_text())
    for k in ("id", "title", "code_file", "language", "kernel_type", "is_private", "enable_gpu", "enable_tpu",
              "enable_internet", "dataset_sources", "competition_sources", "kernel_sources", "model_sources",
              "docker_image_pinning_type"):
        assert k in m, k
    assert m["enable_gpu"] is True and m["enable_internet"] is True      # set explicitly
    assert (KAGGLE / m["code_file"]).exists() and m["kernel_type"] == "notebook"
    assert len(m["dataset_sources"]) == 2 and m["docker_image_pinning_type"] == "original"

def test_params_file_names_only_study_parameters():
    import yaml
    from xlstm_study.core import make_config
    p = yaml.safe_load((KAGGLE / "params.yaml").read_text())
    make_config(p.pop("profile", "kaggle"), **p)

def test_driver_runs_the_study_against_a_fake_kaggle_input(tmp_path, synthetic_csv_dir, monkeypatch):
    pm = pytest.importorskip("papermill")
    inp, work = tmp_path / "input", tmp_path / "working"
    shutil.copytree(synthetic_csv_dir, inp / "crypto-1m-candles")
    src = inp / "xlstm-study-src"; src.mkdir()
    for part in ("pyproject.toml", "nbs", "kaggle", "xlstm_study", "README.md"):
        s = ROOT / part
        (shutil.copytree if s.is_dir() else shutil.copy)(s, src / part)
    monkeypatch.setenv("XLSTM_STUDY_KAGGLE_INPUT", str(inp))
    monkeypatch.setenv("XLSTM_STUDY_KAGGLE_WORKING", str(work))
    pm.execute_notebook(str(KAGGLE / "driver.ipynb"), str(tmp_path / "driver.out.ipynb"), kernel_name="python3",
                        parameters=dict(profile="smoke", install=False, extra_params=dict(gbm_max_iter=20, models=["majority", "persistence", "logreg", "gbm"])))
    meta = json.loads((work / "runs" / "smoke" / "metrics.json").read_text())
    assert meta["config"]["data_dir"] == str(inp / "crypto-1m-candles")
    assert len({r["fold"] for r in meta["rows"]}) >= 3
    assert (work / "90_study.smoke.ipynb").exists()
    pins = dict(l.split("==") for l in (work / "constraints.txt").read_text().split())
    for name in ("numpy", "numba", "keras"):
        assert pins[name] == metadata.version(name)
