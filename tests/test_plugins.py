"""A variant registered from outside the library: its hooks reach the training path and the study runs it as a row,
with no edit to the study, the training loop or the model builder."""
import json
import numpy as np
import keras
from xlstm_study.core import make_config
from xlstm_study.registry import register_variant, VARIANTS, unwrap
from xlstm_study.data.panel import FoldContext

SEEN = {"inputs": [], "optimizer": []}

class ConstantFeature:
    "An `inputs` hook: one more feature column, always 1."
    def __init__(self, cfg, seed): pass
    def fit(self, ctx, train): return self
    def transform(self, ctx):
        SEEN["inputs"].append(ctx.Xs.shape[1])
        return FoldContext(ctx.panel, np.concatenate([ctx.Xs, np.ones((len(ctx.Xs), 1), "float32")], axis=1))

def loss_scaled(optimizer, cfg):
    "An `optimizer` hook: Keras' LossScaleOptimizer around the row's optimizer."
    SEEN["optimizer"].append(type(optimizer).__name__)
    return keras.optimizers.LossScaleOptimizer(optimizer)

def test_a_toy_variant_runs_as_a_row(tmp_path):
    register_variant("toy_constant", "xlstm", {"epochs": 1}, hooks=dict(inputs=ConstantFeature, optimizer=loss_scaled),
                     doc="a constant feature and a wrapped optimizer")
    try:
        from xlstm_study.study.runner import run_study, load_final_model
        cfg = make_config("smoke", synth_bars=3_000, synth_symbols=2, n_folds=2, lookback=20, embed_dim=16, gbm_max_iter=10,
                          nn_max_train_samples=500, models=("gbm",), variants=("toy_constant",), shap_models=())
        run_study(cfg, tmp_path / "run", progress=False)
        meta = json.loads((tmp_path / "run" / "metrics.json").read_text())
        toy = [r for r in meta["rows"] if r["model"] == "toy_constant"]
        assert sorted(r["fold"] for r in toy) == [0, 1] and all(0 <= r["f1_macro"] <= 1 for r in toy)
        n = SEEN["inputs"][0]                                             # the study's feature count
        assert set(SEEN["inputs"]) == {n} and SEEN["optimizer"] and set(SEEN["optimizer"]) == {"AdamW"}
        final = load_final_model(tmp_path / "run" / "models", "toy_constant", cfg)
        assert unwrap(final).model.input_shape[-1] == n + 1              # the network saw the extra column
        man = json.loads((tmp_path / "run" / "models" / "manifest.json").read_text())
        assert [r["how"] for r in man["rows"]["toy_constant"]["inputs"]] == ["stateless"]   # nothing pickled: rebuilt from the hook
    finally:
        VARIANTS.pop("toy_constant", None)
