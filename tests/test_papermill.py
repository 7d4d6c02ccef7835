"90_study through papermill, as on Kaggle: parameters in, a run folder out; typos rejected."
import json
import pytest
from conftest import ROOT, TINY

pm = pytest.importorskip("papermill")

def test_study_notebook_runs_with_parameters(kaggle_run):
    "The driver's papermill run of nbs/90_study.ipynb (`kaggle_run`, tiny parameters): every parameter arrives, every row runs on every fold."
    _, work = kaggle_run
    out = work / "runs" / "smoke"
    meta = json.loads((out / "metrics.json").read_text())
    assert meta["profile"] == "smoke" and {k: meta["config"][k] for k in TINY} == TINY      # every injected parameter arrived
    folds = list(range(TINY["n_folds"]))
    assert sorted({r["fold"] for r in meta["rows"]}) == folds
    assert set(TINY["models"]) == {r["model"] for r in meta["rows"]}                          # every row ran, no other
    assert all({r["fold"] for r in meta["rows"] if r["model"] == m} == set(folds) for m in TINY["models"])
    assert all(isinstance(r["net_sharpe"], float) and r["max_drawdown"] <= 0 for r in meta["rows"])
    assert (out / "figures" / "f1_macro.png").exists()
    for k in folds:                                # trading and SHAP figures of every fold, SHAP of the final model
        assert (out / "figures" / f"equity_fold{k}.png").exists() and (out / "figures" / f"shap_xlstm_fold{k}.png").exists()
    assert sorted(s["fold"] for s in meta["shap"]) == folds and (out / "models" / "shap_xlstm.png").exists()
    assert set(meta["shap"][0]["per_group"]) == {"trend", "momentum", "volatility", "volume"}
    # the notebook did not re-export the library (it only does so when run by hand in the repo)
    nb = json.loads((work / "90_study.smoke.ipynb").read_text())
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"])

def test_typo_in_a_parameter_fails_the_run(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as e:
        pm.execute_notebook(str(ROOT / "nbs" / "90_study.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
                            cwd=str(ROOT / "nbs"), parameters=dict(profile="smoke", out_dir=str(tmp_path / "r"), horizn=10))
    assert "horizn" in str(e.value) and "horizon" in str(e.value)
