"""The command line: `make study`'s smoke run (the installed `xlstm-study` executable), evaluate, and its errors (`main` in
this process, what the executable's `sys.exit(main())` runs: the same exit code and stderr, without a second TensorFlow start-up)."""
import json, shutil
import pytest
from conftest import ROOT, cli_main

def test_smoke_study_is_the_main_command(smoke_run):
    "`make study` runs `xlstm-study run --profile smoke`: rows of every model on every walk-forward fold (the profile has 2) (its time is `make bench`'s business)."
    out, took, r = smoke_run
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    print(f"smoke study took {took:.0f} s")
    meta = json.loads((out / "metrics.json").read_text())
    assert meta["profile"] == "smoke" and meta["config"]["data_dir"] is None
    folds = {r["fold"] for r in meta["rows"]}
    assert len(folds) >= 2
    for model in ("majority", "persistence", "logreg", "gbm", "buy_and_hold", "xlstm", "xlstm_rl"):
        assert {r["fold"] for r in meta["rows"] if r["model"] == model} == folds
    assert all({"net_sharpe", "max_drawdown", "trades"} <= set(r) for r in meta["rows"])
    assert all(isinstance(r["net_sharpe"], float) and r["max_drawdown"] <= 0 for r in meta["rows"])
    for k in sorted(folds):                        # trading figures of every fold (SHAP: tests/test_papermill.py)
        assert (out / "figures" / f"equity_fold{k}.png").exists()
    mk = (ROOT / "Makefile").read_text()
    assert "xlstm-study run --profile $(PROFILE)" in mk

def test_evaluate_scores_the_final_models_on_another_folder(smoke_run, synthetic_csv_dir):
    out, _, r = smoke_run
    assert r.returncode == 0
    assert (out / "models" / "xlstm.keras").exists() and (out / "models" / "gbm.skops").exists()
    assert not list((out / "models").glob("*.joblib"))                       # run folders hold no pickles
    code, _, err = cli_main("evaluate", str(out), "--data", str(synthetic_csv_dir))
    assert code == 0, err[-3000:]
    ev = json.loads((out / f"eval-{synthetic_csv_dir.name}" / "metrics.json").read_text())
    pooled = [row for row in ev["rows"] if row["symbol"] == "all"]                # and one row per symbol and model
    assert [row["model"] for row in pooled] == ["majority", "persistence", "logreg", "gbm", "buy_and_hold", "xlstm", "xlstm_rl"]
    assert all({"net_sharpe", "trades", "total_return", "seen_symbol", "fees"} <= set(row) for row in ev["rows"])
    assert len(ev["rows"]) == len(pooled) * (1 + len({row["symbol"] for row in ev["rows"]} - {"all"}))
    assert (out / "models" / "xlstm_rl.keras").exists()
    assert all(0 <= row["f1_macro"] <= 1 for row in pooled)
    assert ev["data_dir"] == str(synthetic_csv_dir)

def test_unknown_parameter_is_an_error_listing_valid_names(tmp_path):
    code, _, err = cli_main("run", "--out", str(tmp_path / "x"), "-p", "lookbak", "30")
    assert code == 2 and "lookbak" in err and "lookback" in err and not (tmp_path / "x").exists()

def test_evaluate_names_a_missing_model_file_in_one_line_before_reading_data(smoke_run, tmp_path):
    "A run folder without its xlstm.keras: one line naming the file, exit 2, nothing written (it was a 30-line Keras traceback)."
    out, _, r = smoke_run
    assert r.returncode == 0
    copy = tmp_path / "run"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("checkpoints", "eval-*"))
    (copy / "models" / "xlstm.keras").unlink()
    before = sorted(p.name for p in copy.iterdir())
    code, _, err = cli_main("evaluate", str(copy), "--data", str(tmp_path / "not-read"))   # a missing data folder would be the error if data came first
    assert code == 2 and "Traceback" not in err, err[-3000:]
    assert err.rstrip().splitlines()[-1] == f"xlstm-study: error: {copy / 'models' / 'xlstm.keras'} is missing: the run saved it (see manifest.json); copy the whole run folder"
    assert sorted(p.name for p in copy.iterdir()) == before

def test_a_rerun_of_part_of_the_smoke_study_reproduces_its_results_exactly(smoke_run, tmp_path):
    """The smoke profile runs with `deterministic=True`: fold 1 of the network rows rerun on its own (`--shard 2/2`, the xLSTM and
    its PPO fine-tuning) gives the same metrics, bit for bit, as in the whole run. Provenance (commit, packages, data) is recorded in both."""
    out, _, r = smoke_run
    assert r.returncode == 0
    code, _, err = cli_main("run", "--profile", "smoke", "--shard", "2/2", "--out", str(tmp_path / "s2"), "--quiet",
                            "-p", "models", "xlstm,xlstm_rl")
    assert code == 0, err[-3000:]
    whole, part = (json.loads((d / "metrics.json").read_text()) for d in (out, tmp_path / "s2"))
    assert whole["config"]["deterministic"] is True and part["shard"] == [2, 2] and part["complete"]
    keys = ("model", "fold", "seed", "f1_macro", "accuracy", "pred_share", "confusion", "net_sharpe", "total_return", "trades")
    pick = lambda rows: [{k: r[k] for k in keys} for r in rows if r["fold"] == 1 and r["model"] in ("xlstm", "xlstm_rl")]
    assert pick(part["rows"]) == pick(whole["rows"]) and len(pick(part["rows"])) == 2
    for m in (whole, part):
        assert m["provenance"]["packages"]["keras"] and m["provenance"]["data"]["synthetic_market"]["seed"] == m["config"]["synth_seed"]
