"""Stages plug in from outside the library: an `inputs` transform, a second view with its own branch, an optimizer hook
and a train-step hook reach the training path of every trainable row, with no edit to the study, the training loop
or the model builder."""
import json
import numpy as np
import pytest
import keras
import tensorflow as tf
from xlstm_study.core import make_config, ConfigError
from xlstm_study.registry import register_variant, register_plugin, make_hooks, VARIANTS, PLUGINS, unwrap, get_model
from xlstm_study.data.panel import FoldContext, build_panel, panel_folds, fold_context
from xlstm_study.data.candles import synthetic_market
from xlstm_study.data.views import View, view_leakage

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

class LastClosed5m(View):
    """A toy second view: log returns of the last 5 closed 5-minute bars before the decision at the close of bar `t`
    (a 5-minute bar is closed once its fifth minute has closed: the one ending at minute m - (m + 1) % 5)."""
    name, k = "m5", 5
    def __init__(self, cfg): pass
    def shape(self, ctx): return (self.k, 1)
    def gather(self, ctx, rows):
        p, rows = ctx.panel, np.asarray(rows, "int64")
        minute = p.time[rows] // p.bar_ns
        last = rows - (minute + 1) % 5                                    # the row of the newest closed 5-minute bar's last minute
        r = last[:, None] - 5 * np.arange(self.k, -1, -1)                 # its close and the 5 before, oldest first
        ok = (r >= 0).all(1)
        r = np.maximum(r, 0)
        same = (p.key_id[r] == p.key_id[rows][:, None]).all(1) & (np.diff(p.time[r], axis=1) == 5 * p.bar_ns).all(1)
        ret = np.diff(np.log(p.close[r]), axis=1)
        return np.where((ok & same)[:, None], ret, 0.0)[..., None].astype("float32")

def m5_branch(inputs, cfg, name):
    "A toy branch: the 5-minute view flattened and embedded."
    return keras.layers.Dense(8, activation="tanh", name=name)(keras.layers.Flatten(name=f"{name}_flat")(inputs["m5"]))

def scored_windows(model, ctx, test, train, cfg):
    "A toy `scores` hook: what the study hands over after scoring a row."
    return {"toy_scored": len(test), "toy_train": len(train), "toy_model": type(unwrap(model)).__name__}

def test_toy_stages_run_as_rows_with_an_extra_column_and_a_second_view(tmp_path):
    register_variant("toy_constant", "xlstm", {"epochs": 1}, hooks=dict(inputs=ConstantFeature, optimizer=loss_scaled),
                     doc="a constant feature and a wrapped optimizer")
    register_variant("toy_m5", "xlstm", {"epochs": 1}, hooks=dict(views=LastClosed5m, branches=m5_branch, scores=scored_windows),
                     doc="the last 5 closed 5-minute bars, in a branch of their own")
    try:
        from xlstm_study.study.runner import run_study, load_final_model
        cfg = make_config("smoke", synth_bars=3_000, synth_symbols=2, n_folds=2, lookback=20, embed_dim=16, gbm_max_iter=10,
                          nn_max_train_samples=500, max_test_samples=1_000, models=("gbm",), variants=("toy_constant", "toy_m5"),
                          shap_models=("toy_m5",), shap_samples=16)
        run_study(cfg, tmp_path / "run", progress=False)
        meta = json.loads((tmp_path / "run" / "metrics.json").read_text())
        for name in ("toy_constant", "toy_m5"):
            rows = [r for r in meta["rows"] if r["model"] == name]
            assert sorted(r["fold"] for r in rows) == [0, 1] and all(0 <= r["f1_macro"] <= 1 for r in rows)
        for r in meta["rows"]:                                            # the `scores` hook reached its row only, on the scored windows
            assert ("toy_scored" in r.get("extra", {})) == (r["model"] == "toy_m5")
            if r["model"] == "toy_m5": assert r["extra"]["toy_scored"] == r["n"] and r["extra"]["toy_train"] > 0 and r["extra"]["toy_model"] == "SequenceModel"
        n = SEEN["inputs"][0]                                             # the study's feature count
        assert set(SEEN["inputs"]) == {n} and SEEN["optimizer"] and set(SEEN["optimizer"]) == {"AdamW"}
        final = load_final_model(tmp_path / "run" / "models", "toy_constant", cfg)
        assert unwrap(final).model.input_shape[-1] == n + 1              # the network saw the extra column
        man = json.loads((tmp_path / "run" / "models" / "manifest.json").read_text())
        assert [r["how"] for r in man["rows"]["toy_constant"]["inputs"]] == ["stateless"]   # nothing pickled: rebuilt from the hook
        # the second view: trained and predicted through its branch, explained by SHAP, saved and loaded
        m5 = load_final_model(tmp_path / "run" / "models", "toy_m5", cfg)
        assert sorted(m5.model.input.keys()) == ["m5", "window"] and m5.model.get_layer("actor_branch0") is not None
        shap = [s for s in meta["shap"] if s["model"] == "toy_m5"]
        assert sorted(s["fold"] for s in shap) == [0, 1]
        assert all(s["per_group"]["view m5"] > 0 and s["per_view"]["m5"] > 0 for s in shap)
        # the leakage test covers every registered view, the toy one included
        gaps = view_leakage(synthetic_market(2_000, 2, seed=4).frames, cfg)
        assert gaps["window"] == 0.0 and gaps["m5"] == 0.0 and set(gaps.values()) == {0.0}   # and every stage's registered view
    finally:
        VARIANTS.pop("toy_constant", None); VARIANTS.pop("toy_m5", None)

def test_the_toy_view_is_causal_and_the_check_would_catch_a_leak():
    cfg = make_config("smoke", lookback=20)
    frames = synthetic_market(2_000, 2, seed=4).frames
    class Peeking(LastClosed5m):                      # the 5-minute bar after t's, read before it has closed
        name = "peek"
        def gather(self, ctx, rows): return super().gather(ctx, np.asarray(rows) + 5)
    gaps = view_leakage(frames, cfg, [LastClosed5m(cfg), Peeking(cfg)])
    assert gaps["m5"] == 0.0 and gaps["peek"] > 0

CALLS = tf.Variable(0, dtype="int64")
OPTIMIZERS = []

def spy_optimizer(optimizer, cfg):
    "An optimizer hook that keeps every optimizer it is handed (what each one saw is read after training)."
    OPTIMIZERS.append(optimizer); return optimizer

def counting_step(grads, variables, cfg):
    "A train-step hook: counts its gradient evaluations and passes the gradients on unchanged."
    def g(*batch):
        loss, gr, aux = grads(*batch)
        CALLS.assign_add(1)
        return loss, gr, aux
    return g

def classifier_only(grads, variables, cfg): return grads
classifier_only.honours = ("classifier",)

@pytest.fixture(scope="module")
def tiny_fold():
    cfg = make_config("smoke", lookback=10, embed_dim=8, epochs=1, nn_max_train_samples=300, batch_size=64, contrastive_eval_windows=0,
                      contrastive_pretrain_epochs=1, contrastive_frozen_epochs=1, online_lr=1e-4, online_block=200, online_steps=1,
                      rl_iters=1, rl_envs=2, rl_steps=8, rl_minibatch=16, rl_epochs=1)
    pan = build_panel(synthetic_market(2_500, 2, seed=8).frames, cfg)
    f = panel_folds(pan, cfg, n_folds=2)[1]
    _, ctx = fold_context(pan, pan.sample_time[f.val].max())
    return cfg, ctx, f

def _trained(make_and_fit) -> tuple:
    "(optimizers made, their steps, train-step calls) while `make_and_fit` runs."
    n0, c0 = len(OPTIMIZERS), int(CALLS.numpy())
    make_and_fit()
    made = OPTIMIZERS[n0:]
    return len(made), [int(o.iterations.numpy()) for o in made], int(CALLS.numpy()) - c0

def test_optimizer_and_train_step_hooks_reach_every_trainable_row(tiny_fold):
    cfg, ctx, f = tiny_fold
    hooks = make_hooks("spy", optimizer=spy_optimizer, train_step=counting_step)
    test = f.test[:300]
    base = {}
    def supervised(): base["m"] = get_model("xlstm", cfg, 0, hooks).fit(ctx, f.train, f.val[:300], verbose=0)
    def pretrain(): get_model("xlstm_contrastive", cfg.replace(contrastive_mode="pretrain"), 0, hooks).fit(ctx, f.train, f.val[:300], verbose=0)
    def joint(): get_model("xlstm_contrastive", cfg.replace(contrastive_mode="joint"), 0, hooks).fit(ctx, f.train, f.val[:300], verbose=0)
    def online(): get_model("xlstm_online_drift", cfg, 0, hooks).fit(ctx, f.train, f.val[:300], base=base["m"]).predict_proba(ctx, test)
    def ppo(): get_model("xlstm_rl", cfg, 0, hooks).fit(ctx, f.train, f.val[:300], verbose=0, base=base["m"])
    # phases that train: the contrastive pre-training has three (triplet, frozen encoder, all layers)
    for name, run, phases in (("supervised", supervised, 1), ("contrastive pretrain", pretrain, 3), ("contrastive joint", joint, 1),
                              ("online", online, 1), ("PPO", ppo, 1)):
        made, steps, calls = _trained(run)
        assert sum(s > 0 for s in steps) >= phases, (name, made, steps)     # the hooked optimizers took the row's steps
        assert calls >= sum(steps), (name, calls, steps)                     # and every step's gradients went through the hook

def test_a_hook_a_row_cannot_honour_is_refused_naming_it(tiny_fold):
    cfg, ctx, f = tiny_fold
    hooks = make_hooks("mixup_like", train_step=classifier_only)
    with pytest.raises(ConfigError, match="train_step hook classifier_only .* row xlstm_rl|row xlstm_rl: the train_step hook classifier_only"):
        base = get_model("xlstm", cfg, 0).fit(ctx, f.train, f.val[:300], verbose=0)
        get_model("xlstm_rl", cfg, 0, hooks).fit(ctx, f.train, f.val[:300], verbose=0, base=base)
    with pytest.raises(ConfigError, match="classifier_only"):
        get_model("xlstm_contrastive", cfg.replace(contrastive_mode="pretrain"), 0, hooks).fit(ctx, f.train, f.val[:300], verbose=0)
