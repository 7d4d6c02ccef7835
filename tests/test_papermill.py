"90_study through papermill, as on Kaggle: parameters in, a run folder out; typos rejected."
import json
from pathlib import Path
import pytest
from conftest import ROOT

pm = pytest.importorskip("papermill")

def test_study_notebook_runs_with_parameters(tmp_path):
    out = tmp_path / "run"
    pm.execute_notebook(str(ROOT / "nbs" / "90_study.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
                        cwd=str(ROOT / "nbs"), parameters=dict(profile="smoke", out_dir=str(out), synth_bars=4000,
                                                               gbm_max_iter=20, n_folds=3, epochs=1,
                                                               nn_max_train_samples=1000, embed_dim=32,
                                                               shap_samples=16, rl_iters=1, rl_envs=4, rl_steps=16))
    meta = json.loads((out / "metrics.json").read_text())
    assert meta["config"]["synth_bars"] == 4000 and meta["config"]["n_folds"] == 3
    assert len({r["fold"] for r in meta["rows"]}) == 3
    assert {"majority", "persistence", "logreg", "gbm", "buy_and_hold", "xlstm", "xlstm_rl"} == {r["model"] for r in meta["rows"]}
    assert all(isinstance(r["net_sharpe"], float) and r["max_drawdown"] <= 0 for r in meta["rows"])
    assert (out / "figures" / "f1_macro.png").exists()
    for k in range(3):                             # trading and SHAP figures of every fold, SHAP of the final model
        assert (out / "figures" / f"equity_fold{k}.png").exists() and (out / "figures" / f"shap_xlstm_fold{k}.png").exists()
    assert sorted(s["fold"] for s in meta["shap"]) == [0, 1, 2] and (out / "models" / "shap_xlstm.png").exists()
    assert set(meta["shap"][0]["per_group"]) == {"trend", "momentum", "volatility", "volume"}
    # the notebook did not re-export the library (it only does so when run by hand in the repo)
    nb = json.loads((tmp_path / "out.ipynb").read_text())
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"])

def test_typo_in_a_parameter_fails_the_run(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as e:
        pm.execute_notebook(str(ROOT / "nbs" / "90_study.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
                            cwd=str(ROOT / "nbs"), parameters=dict(profile="smoke", out_dir=str(tmp_path / "r"), horizn=10))
    assert "horizn" in str(e.value) and "horizon" in str(e.value)
