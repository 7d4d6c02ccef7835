"The command line: `make study`'s smoke run, evaluate, and its errors."
import json, time
from pathlib import Path
import pytest
from conftest import ROOT, BIN, run

CLI = str(BIN / "xlstm-study")

def test_smoke_study_is_the_main_command(tmp_path):
    "`make study` runs `xlstm-study run --profile smoke`: within 5 minutes, baseline rows for >= 3 folds."
    t0 = time.time()
    r = run([CLI, "run", "--profile", "smoke", "--out", str(tmp_path / "smoke")])
    took = time.time() - t0
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert took < 300, f"smoke study took {took:.0f} s"
    meta = json.loads((tmp_path / "smoke" / "metrics.json").read_text())
    assert meta["profile"] == "smoke" and meta["config"]["data_dir"] is None
    folds = {r["fold"] for r in meta["rows"]}
    assert len(folds) >= 3
    for model in ("majority", "persistence", "logreg", "gbm", "xlstm"):
        assert {r["fold"] for r in meta["rows"] if r["model"] == model} == folds
    mk = (ROOT / "Makefile").read_text()
    assert "xlstm-study run --profile $(PROFILE)" in mk

def test_run_then_evaluate_on_another_folder(tmp_path, synthetic_csv_dir):
    out = tmp_path / "run"
    r = run([CLI, "run", "--profile", "smoke", "--quiet", "--out", str(out), "-p", "synth_bars", "4000",
             "-p", "gbm_max_iter", "20", "-p", "synth_symbols", "2", "-p", "epochs", "1",
             "-p", "nn_max_train_samples", "1000", "-p", "embed_dim", "32"])
    assert r.returncode == 0, r.stderr[-3000:]
    r = run([CLI, "evaluate", str(out), "--data", str(synthetic_csv_dir)])
    assert r.returncode == 0, r.stderr[-3000:]
    ev = json.loads((out / f"eval-{synthetic_csv_dir.name}" / "metrics.json").read_text())
    assert [row["model"] for row in ev["rows"]] == ["majority", "persistence", "logreg", "gbm", "xlstm"]
    assert (out / "models" / "xlstm.keras").exists()
    assert all(0 <= row["f1_macro"] <= 1 for row in ev["rows"])

def test_unknown_parameter_is_an_error_listing_valid_names(tmp_path):
    r = run([CLI, "run", "--out", str(tmp_path / "x"), "-p", "lookbak", "30"])
    assert r.returncode == 2 and "lookbak" in r.stderr and "lookback" in r.stderr
