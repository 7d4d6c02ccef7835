"The Kaggle kernel: metadata, and the driver run locally against a fake /kaggle/input."
import json
from importlib import metadata
import pytest
from conftest import ROOT, TINY

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

def test_driver_runs_the_study_against_a_fake_kaggle_input(kaggle_run):
    "The driver finds the source and the candles under the input root, pins the image's packages, and runs the study into working/."
    inp, work = kaggle_run
    meta = json.loads((work / "runs" / "smoke" / "metrics.json").read_text())
    assert meta["profile"] == "smoke" and meta["config"]["data_dir"] == str(inp / "crypto-1m-candles")
    assert sorted({r["fold"] for r in meta["rows"]}) == list(range(TINY["n_folds"]))     # the driver's extra_params arrived
    assert (work / "90_study.smoke.ipynb").exists()
    pins = dict(l.split("==") for l in (work / "constraints.txt").read_text().split())
    for name in ("numpy", "numba", "keras"):
        assert pins[name] == metadata.version(name)
