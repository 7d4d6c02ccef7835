#!/usr/bin/env python
"""Training throughput of the study's actor at the kaggle profile's size (issue 21, item 8).

Builds the `xlstm` actor exactly as the study does (`make_config(PROFILE)`, `build_actor`, `make_optimizer`,
`focal_loss` and `distribution_scope` from the library) and trains it with Keras' standard `compile` + `fit` on random float32 windows
(standard normal, `--windows` x `--lookback` x `--features`) with random labels (uniform over SELL, HOLD, BUY)
and balanced sample weights (the profile's `class_weights`): the numbers are throughput, not learning. Prints
one JSON line per setting (precision policy x XLA on/off). Runs on any Keras 3 backend (KERAS_BACKEND:
tensorflow on Kaggle's image, jax or torch elsewhere).

    python kaggle/gpu_throughput.py                                    # plan's size, float32, XLA on
    python kaggle/gpu_throughput.py --precision float32 mixed_float16 --no-jit --max-seconds 60

What is not measured: the study's input pipeline (`EpochWindows` gathers windows from the panel per batch;
here the windows are one in-memory array), its `train_step` hooks (rows other than the plain actor), early
stopping and checkpoints. `--val-windows N` times `predict` on N windows after training (the study scores its
validation windows after every epoch). Run settings in separate processes for a clean GPU memory peak: the
peak a backend reports is the process's.
"""
from __future__ import annotations
import argparse, json, os, platform, sys, time

PLAN_S_PER_EPOCH = 240.0          # the plan's promise: 240 s per epoch on 281,060 windows (two T4s)
PLAN_WINDOWS = 281_060
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--windows", type=int, default=281_060, help="training windows per epoch (the plan's 281,060)")
    p.add_argument("--lookback", type=int, default=60, help="bars per window")
    p.add_argument("--features", type=int, default=25, help="features per bar")
    p.add_argument("--batch", type=int, default=512, help="batch size (the kaggle profile's 512)")
    p.add_argument("--epochs", type=int, default=2, help="epochs (the first includes compilation)")
    p.add_argument("--precision", nargs="+", default=["float32"], choices=PRECISIONS, help="Keras dtype policies to measure, one after another")
    p.add_argument("--jit", action=argparse.BooleanOptionalAction, default=True, help="compile the train step with XLA (jit_compile)")
    p.add_argument("--max-seconds", type=float, default=None,
                   help="stop a setting's fit after this many seconds (at least 10 steps into an epoch) and extrapolate its epoch time")
    p.add_argument("--val-windows", type=int, default=0, help="after training, time predict on this many windows (batch 2 x --batch, as the study)")
    p.add_argument("--profile", default="kaggle", help="the study profile whose actor and training settings are used")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="also append the JSON lines to this file")
    return p.parse_args(argv)


def study_parts(profile: str, lookback: int, batch: int, epochs: int):
    "The profile's config and the library's actor builder, optimizer and loss (the same calls as `SequenceModel.build`)."
    from xlstm_study.core import make_config
    from xlstm_study.models.xlstm import build_actor
    from xlstm_study.training.fit import make_optimizer, focal_loss, distribution_scope
    cfg = make_config(profile, lookback=lookback, batch_size=batch, epochs=epochs)
    return cfg, build_actor, make_optimizer, focal_loss, distribution_scope


def synthetic_data(n: int, lookback: int, features: int, seed: int = 0):
    "Random float32 windows (standard normal), random labels 0..2 and balanced sample weights."
    import numpy as np
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, lookback, features), dtype=np.float32)
    y = rng.integers(0, 3, n).astype("int32")
    counts = np.bincount(y, minlength=3).astype("float64")
    w = (n / (3 * np.maximum(counts, 1)))[y].astype("float32")
    return X, y, w


def backend_info() -> dict:
    "Keras backend, its version and the accelerator it runs on."
    import keras
    b = keras.backend.backend()
    info = dict(keras=keras.__version__, backend=b, python=platform.python_version())
    try:
        if b == "jax":
            import jax
            d = jax.devices()[0]
            info.update(backend_version=jax.__version__, device=f"{d.platform}:{getattr(d, 'device_kind', '')}", devices=len(jax.devices()))
        elif b == "tensorflow":
            import tensorflow as tf
            gpus = tf.config.list_physical_devices("GPU")
            names = [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
            info.update(backend_version=tf.__version__, device=("gpu:" + ", ".join(names)) if gpus else "cpu", devices=max(len(gpus), 1))
        elif b == "torch":
            import torch
            cuda = torch.cuda.is_available()
            info.update(backend_version=torch.__version__, device=f"cuda:{torch.cuda.get_device_name(0)}" if cuda else "cpu",
                        devices=torch.cuda.device_count() if cuda else 1)
    except Exception as e:            # the numbers still count without the device's name
        info["device_error"] = repr(e)
    return info


def peak_memory_bytes():
    "The accelerator's peak memory in use since the process started (None where the backend does not say)."
    import keras
    b = keras.backend.backend()
    try:
        if b == "jax":
            import jax
            d = jax.devices()[0]
            return int(d.memory_stats()["peak_bytes_in_use"]) if d.platform != "cpu" and d.memory_stats() else None
        if b == "tensorflow":
            import tensorflow as tf
            return int(tf.config.experimental.get_memory_info("GPU:0")["peak"]) if tf.config.list_physical_devices("GPU") else None
        if b == "torch":
            import torch
            return int(torch.cuda.max_memory_allocated()) if torch.cuda.is_available() else None
    except Exception:
        return None
    return None


def make_clock(keras, max_seconds=None):
    "A callback timing the first batch (compilation included, synchronised) and every epoch (synchronised at its end)."
    import numpy as np

    class Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.first_batch_s, self.epochs, self.steps = None, [], []
        def on_train_begin(self, logs=None): self.t0 = time.perf_counter()
        def on_epoch_begin(self, epoch, logs=None): self.te, self.n = time.perf_counter(), 0
        def on_train_batch_end(self, batch, logs=None):
            self.n += 1
            if self.first_batch_s is None:
                if logs and "loss" in logs: np.asarray(keras.ops.convert_to_numpy(logs["loss"]))   # wait for the step to finish
                self.first_batch_s = time.perf_counter() - self.t0
            if max_seconds is not None and self.n >= 10 and time.perf_counter() - self.t0 > max_seconds:
                self.model.stop_training = True
        def on_epoch_end(self, epoch, logs=None):
            if logs and "loss" in logs: self.last_loss = float(np.asarray(keras.ops.convert_to_numpy(logs["loss"])))
            self.epochs.append(time.perf_counter() - self.te); self.steps.append(self.n)
    return Clock()


def steady_epoch_s(epochs: list, steps: list, steps_per_epoch: int, first_batch_s: float) -> tuple:
    """Seconds per full epoch without compilation, and where it comes from: the last epoch after the first (scaled to a full
    epoch when it was stopped early), else the first epoch less its first batch, scaled from its remaining steps."""
    if len(epochs) > 1 and steps[-1] > 0:
        return epochs[-1] * steps_per_epoch / steps[-1], ("epoch %d" % len(epochs)) + ("" if steps[-1] == steps_per_epoch else f" ({steps[-1]} steps, scaled)")
    if steps and steps[0] > 1:
        return (epochs[0] - first_batch_s) * steps_per_epoch / (steps[0] - 1), f"epoch 1 less its first batch ({steps[0] - 1} steps, scaled)"
    return float("nan"), "too few steps"


def run_setting(args, data, precision: str) -> dict:
    import keras, numpy as np
    keras.backend.clear_session()
    keras.utils.set_random_seed(args.seed)
    prev = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        cfg, build_actor, make_optimizer, focal_loss, distribution_scope = study_parts(args.profile, args.lookback, args.batch, args.epochs)
        X, y, w = data
        steps_per_epoch = -(-len(X) // args.batch)
        t = time.perf_counter()
        with distribution_scope():    # as the study: MirroredStrategy where TensorFlow sees several GPUs (Kaggle's T4 x2), else nothing
            model = build_actor(args.features, cfg, "xlstm")
            model.compile(optimizer=make_optimizer(cfg, None, steps_per_epoch, epochs=args.epochs), loss=focal_loss(cfg), jit_compile=args.jit)
        build_s = time.perf_counter() - t
        clock = make_clock(keras, args.max_seconds)
        t = time.perf_counter()
        model.fit(X, y, sample_weight=w, batch_size=args.batch, epochs=args.epochs, shuffle=True, verbose=0, callbacks=[clock])
        fit_s = time.perf_counter() - t
    finally:
        keras.config.set_dtype_policy(prev)
    s_epoch, source = steady_epoch_s(clock.epochs, clock.steps, steps_per_epoch, clock.first_batch_s)
    row = dict(setting=f"{precision}/{'xla' if args.jit else 'no-xla'}", precision=precision, jit_compile=bool(args.jit),
               optimizer=type(model.optimizer).__name__, inner_optimizer=type(getattr(model.optimizer, "inner_optimizer", model.optimizer)).__name__,
               loss=type(model.loss).__name__, profile=args.profile, params=int(model.count_params()),
               windows=len(X), lookback=args.lookback, features=args.features, batch=args.batch, steps_per_epoch=steps_per_epoch,
               build_s=round(build_s, 2), first_batch_s=round(clock.first_batch_s or float("nan"), 2),
               epoch_s=[round(e, 2) for e in clock.epochs], epoch_steps=clock.steps, fit_s=round(fit_s, 2),
               steady_s_per_epoch=round(s_epoch, 2), steady_from=source,
               compile_s_est=round(clock.epochs[0] - s_epoch * clock.steps[0] / steps_per_epoch, 2) if clock.epochs and s_epoch == s_epoch else None,
               windows_per_s=round(steps_per_epoch * args.batch / s_epoch) if s_epoch > 0 else None,
               batches_per_s=round(steps_per_epoch / s_epoch, 2) if s_epoch > 0 else None,
               s_per_plan_epoch=round(s_epoch * PLAN_WINDOWS / len(X), 2) if s_epoch > 0 else None,     # at this rate, 281,060 windows
               plan_s_per_epoch=PLAN_S_PER_EPOCH, vs_plan=round(PLAN_S_PER_EPOCH * len(X) / (s_epoch * PLAN_WINDOWS), 2) if s_epoch > 0 else None,
               last_loss=round(getattr(clock, "last_loss", float("nan")), 4))
    if args.val_windows:
        Xv = X[:args.val_windows]
        times = []
        for _ in range(2):            # the first call compiles
            t = time.perf_counter(); p = model.predict(Xv, batch_size=2 * args.batch, verbose=0); times.append(time.perf_counter() - t)
        row.update(predict_windows=len(Xv), predict_first_s=round(times[0], 2), predict_s=round(times[1], 2),
                   predict_windows_per_s=round(len(Xv) / times[1]) if times[1] > 0 else None, predict_finite=bool(np.isfinite(p).all()))
    row["peak_mem_gib"] = (lambda b: round(b / 2**30, 3) if b is not None else None)(peak_memory_bytes())
    return row


def main(argv=None):
    args = parse_args(argv)
    import keras
    info = backend_info()
    t = time.perf_counter()
    data = synthetic_data(args.windows, args.lookback, args.features, args.seed)
    data_s = time.perf_counter() - t
    rows = []
    for precision in args.precision:
        try:
            row = run_setting(args, data, precision)
        except Exception as e:        # one failed setting must not hide the others
            row = dict(setting=f"{precision}/{'xla' if args.jit else 'no-xla'}", precision=precision, jit_compile=bool(args.jit), error=repr(e)[:2000])
        row.update(info, data="random float32 windows (standard normal), random labels, balanced weights", data_s=round(data_s, 2))
        line = json.dumps(row)
        print(line, flush=True)
        if args.out:
            with open(args.out, "a") as f: f.write(line + "\n")
        rows.append(row)
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
