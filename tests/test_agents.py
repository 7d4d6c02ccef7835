"The multi-agent rows (`31_agents`) through the study on the smoke profile's synthetic candles: one fold, tiny networks."
import tempfile
from pathlib import Path
import numpy as np
import pandas as pd
from xlstm_study.core import make_config
from xlstm_study.study.runner import run_study


def test_agent_rows_through_the_study():
    with tempfile.TemporaryDirectory() as d:
        cfg = make_config("smoke", n_folds=1, models=("buy_and_hold", "xlstm", "agents_finrl", "agents_bandit", "agents_gating"),
                          variants=(), by_regime=True, rl_iters=1, rl_envs=4, rl_steps=16, rl_epochs=1, agent_sup_epochs=1,
                          agent_sup_samples=256, agent_val_samples=2_000, agent_min_share=0.05, agent_gate_epochs=5,
                          shap_samples=0, save_final_models=False, seeds=(0,))
        res = run_study(cfg, d, progress=False)
        assert sorted(res.model) == sorted(cfg.models)
        for _, r in res.iterrows():                                      # every row's trading split by detected regime
            assert "by_regime" in r["extra"] and len(r["extra"]["by_regime"]) >= 2, r["model"]
            assert sum(v["bars"] for v in r["extra"]["by_regime"].values()) > 0
        by = res.set_index("model")
        for s in ("finrl", "bandit", "gating"):
            ag = by.loc[f"agents_{s}", "extra"]["agents"]
            assert ag["selector"] == s and len(ag["specialists"]) >= 2 and abs(sum(ag["share"]) - 1) < 1e-6
            assert len(ag["trace"]["choice"]) > 0 and set(ag["trace"]["choice"]) <= set(range(len(ag["specialists"])))
        assert not by.loc["agents_bandit"].get("fit_reused", False)       # rows differ in their model, not only their decision
        byr = pd.read_csv(Path(d) / "by_regime.csv")
        assert set(byr.model) == set(cfg.models) and (byr.bars > 0).all()
        assert np.isfinite(byr.mean_bp).all()
        assert (Path(d) / "figures" / "by_regime.png").exists()
        assert (Path(d) / "figures" / "selector_agents_finrl_fold0.png").exists()
