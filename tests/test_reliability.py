"""The reliability issue, case by case: no bad input passes silently, every failure names its cause (the file,
row and column, or the parameter), a failed run destroys nothing, and run folders load without running code
from them. Each table row is one case of the issue; the indicator conventions (MFI, NATR) and the downloader
are tested in nbs/02_features.ipynb, nbs/03_labels.ipynb and nbs/01_data.ipynb."""
import gzip, json, shutil
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from conftest import cli_main
from xlstm_study.core import make_config, ConfigError
from xlstm_study.registry import study_rows
from xlstm_study.data.candles import DataError, DataWarning, SavedFileError, load_candles, synthetic_market, key_symbol, sha256_file

GOOD_NAME = "BTCUSDT_BINANCE_1m_20240101_20240101.csv"

def candles(start="2024-01-01", n=12, step="1min", **edits) -> list:
    "CSV lines of `n` sane candles; `edits` = {row: line} replaces data rows."
    t = pd.date_range(start, periods=n, freq=step, tz="UTC")
    rows = [f"{x:%Y-%m-%dT%H:%M:%SZ},10,11,9,10.5,3" for x in t]
    for r, line in edits.items(): rows[int(r.lstrip("r"))] = line
    return ["timestamp,open,high,low,close,volume", *rows]

def folder(tmp_path, files: dict) -> Path:
    d = tmp_path / "data"; d.mkdir()
    for name, content in files.items():
        data = content if isinstance(content, bytes) else ("\n".join(content) + "\n").encode()
        (d / name).write_bytes(gzip.compress(data) if name.endswith(".gz") and not isinstance(content, bytes) else data)
    return d

def truncated_gz() -> bytes:
    return gzip.compress(("\n".join(candles(n=3000)) + "\n").encode())[:300]

# (case of the issue, files in the data folder, words the DataError must hold besides the file's path)
DATA_CASES = [
    ("5-minute candles in a 1-minute folder", {GOOD_NAME: candles(step="5min")}, ["column 'timestamp', row 1", "the bar interval is 5min"]),
    ("open > high", {GOOD_NAME: candles(r3="2024-01-01T00:03:00Z,12,11,9,10,3")}, ["column 'open', row 3", "outside [low 9.0, high 11.0]"]),
    ("close < low", {GOOD_NAME: candles(r4="2024-01-01T00:04:00Z,10,11,9,8,3")}, ["column 'close', row 4", "outside"]),
    ("every timestamp 30 s off the minute", {GOOD_NAME: candles(start="2024-01-01 00:00:30")}, ["column 'timestamp', row 0", "off the 1min grid"]),
    ("one timestamp 30 s off", {GOOD_NAME: candles(r7="2024-01-01T00:07:30Z,10,11,9,10.5,3")}, ["column 'timestamp', row 7", "off the 1min grid"]),
    ("the same data as .csv and .csv.gz", {GOOD_NAME: candles(), GOOD_NAME + ".gz": candles()}, [GOOD_NAME + ".gz has the same name"]),
    ("two overlapping files of one symbol and venue", {GOOD_NAME: candles(), "BTCUSDT_BINANCE_1m_20240101_20240102.csv": candles(start="2024-01-01 00:10")},
     ["column 'timestamp', row 10: overlaps", "BTCUSDT_BINANCE_1m_20240101_20240102.csv", "count twice"]),
    ("a file name off the SYMBOL_VENUE_1m_... pattern", {"btc-2024.csv": candles()}, ["btc-2024.csv: the file name is not SYMBOL_VENUE_INTERVAL_START_END",
                                                                                      "symbol filters", "BINANCEPERP"]),
    ("a file name whose interval is not the bar", {"BTCUSDT_BINANCE_5m_20240101_20240101.csv": candles()}, ["the file name says 5m bars, the configured bar is 1min"]),
    ("a truncated .csv.gz", {GOOD_NAME + ".gz": truncated_gz()}, ["cannot read the file: the compressed data ends early"]),
    ("a non-gzip file named .csv.gz", {GOOD_NAME + ".gz": b"timestamp,open\nnot gzip at all\n"}, ["cannot read the file: it is not gzip data"]),
    ("mixed UTC offsets", {GOOD_NAME: candles(r5="2024-01-01T01:05:00+01:00,10,11,9,10.5,3")}, ["column 'timestamp', row 5", "UTC offset '+01:00'"]),
    ("every file shorter than one sample needs", {GOOD_NAME: candles(n=150), "ETHUSDT_BINANCE_1m_20240101_20240101.csv": candles(n=120)},
     ["every file is shorter than the 185 rows", "(150 rows)", "ETHUSDT_BINANCE_1m_20240101_20240101.csv (120 rows)"]),
]

@pytest.mark.parametrize("case,files,words", DATA_CASES, ids=[c[0] for c in DATA_CASES])
def test_bad_candle_files_are_refused_naming_the_file(tmp_path, case, files, words):
    d = folder(tmp_path, files)
    with pytest.raises(DataError) as e:
        load_candles(d, min_rows=185)
    msg = str(e.value)
    assert str(d) in msg and all(w in msg for w in words), msg

def test_a_short_file_is_skipped_with_a_warning_naming_it(tmp_path):
    "Files long enough for the loader but too short for one sample vanished in build_panel without a word."
    d = folder(tmp_path, {GOOD_NAME: candles(n=300), "ETHUSDT_BINANCE_1m_20240101_20240101.csv": candles(n=150)})
    with pytest.warns(DataWarning, match=r"ETHUSDT_BINANCE_1m_20240101_20240101\.csv \(150 rows\)"):
        frames = load_candles(d, min_rows=185)
    assert list(frames) == ["BTCUSDT:BINANCE:20240101-20240101"]

def test_five_minute_candles_load_when_the_bar_says_so(tmp_path):
    d = folder(tmp_path, {"BTCUSDT_BINANCE_5m_20240101_20240101.csv": candles(step="5min")})
    assert len(next(iter(load_candles(d, bar="5min").values()))) == 12

# (parameter, command-line value): the ConfigError names the parameter; through the CLI it is one line, exit 2
CONFIG_CASES = [("seeds", "0.5"), ("seeds", "-1"), ("learning_rate", "-1"), ("weight_decay", "-1"), ("label_smoothing", "2"),
                ("patience", "-1"), ("adaptive_k", "-3"), ("fee_bp", "inf"), ("max_files", "-1"), ("n_folds", "1000"),
                ("slippage_bp", "-1"), ("smote_k", "0"), ("regime_multipliers", "1,1,1,x"), ("xlstm_pattern", "mxz")]

cli = cli_main                       # `xlstm-study ARGV` in this process: (exit code, stdout, stderr)

def one_error_line(err: str) -> str:
    lines = [l for l in err.splitlines() if l.startswith("xlstm-study: error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]

@pytest.mark.parametrize("name,value", CONFIG_CASES, ids=[f"{n} {v}" for n, v in CONFIG_CASES])
def test_a_bad_parameter_is_refused_naming_it(name, value):
    with pytest.raises(ConfigError, match=f"^{name}="):
        make_config("smoke", **{name: value})
    code, _, err = cli("run", "--quiet", "-p", name, value)
    assert code == 2 and one_error_line(err).startswith(f"xlstm-study: error: {name}=")

@pytest.mark.parametrize("params,words", [(dict(models=("nosuch",)), "unknown model 'nosuch'"), (dict(variants=("nosuch",)), "unknown variant 'nosuch'"),
                                          (dict(shap_models=("nosuch",)), "shap_models names 'nosuch'")], ids=["model", "variant", "shap_models"])
def test_unknown_rows_fail_before_any_data(params, words):
    with pytest.raises(ConfigError, match=words):
        study_rows(make_config("smoke", **params))

@pytest.mark.parametrize("argv,words", [(["-p", "profile", "local"], "choose the profile by name"),
                                        (["--data", "/a", "-p", "data_dir", "/b"], "name different data folders: give one")],
                         ids=["-p profile local", "--data A -p data_dir B"])
def test_profile_and_data_clashes_are_config_errors(argv, words):
    code, _, err = cli("run", "--quiet", *argv)
    assert code == 2 and words in one_error_line(err)

def test_data_errors_through_the_cli_are_one_line_and_debug_shows_the_traceback(tmp_path):
    d = folder(tmp_path, {GOOD_NAME + ".gz": truncated_gz()})
    code, _, err = cli("run", "--quiet", "--data", str(d))
    assert code == 2 and f"{d / GOOD_NAME}.gz: cannot read the file" in one_error_line(err)
    code, _, err = cli("run", "--quiet", "--debug", "--data", str(d))
    assert code == 2 and "Traceback" in err and "EOFError" in err

def test_the_local_profile_reads_the_shared_data_or_asks_for_data(tmp_path, monkeypatch):
    import xlstm_study.study.runner as runner
    seen = []
    monkeypatch.setattr(runner, "run_study", lambda cfg, out, progress=True, **kw: seen.append(cfg) or pd.DataFrame())
    monkeypatch.setattr(runner, "summary_table", lambda res: res)
    monkeypatch.setenv("XLSTM_STUDY_DATA", str(tmp_path / "missing"))
    code, _, err = cli("run", "--profile", "local")
    assert code == 2 and "pass --data DIR" in one_error_line(err) and not seen
    monkeypatch.setenv("XLSTM_STUDY_DATA", str(tmp_path))
    code, out, _ = cli("run", "--profile", "local")
    assert code == 0 and seen[0].data_dir == str(tmp_path) and f"reads the real candles in {tmp_path}" in out
    code, _, _ = cli("run", "--profile", "local", "-p", "data_dir", "none")       # the synthetic market, asked for explicitly
    assert code == 0 and seen[1].data_dir is None

# a finished run folder of tabular rows (seconds: one fold, since the cases below read only its saved models), shared by the run-folder cases below
@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    from xlstm_study.study.runner import run_study
    out = tmp_path_factory.mktemp("runs") / "X"
    cfg = make_config("smoke", synth_bars=3_000, synth_symbols=2, n_folds=1, gbm_max_iter=10,
                      models=("majority", "persistence", "gbm", "buy_and_hold"), shap_models=())
    run_study(cfg, out, progress=False)
    return out, cfg

def csv_dir(path: Path, seed: int) -> Path:
    path.mkdir(parents=True)
    for k, f in synthetic_market(2_000, 2, seed=seed).frames.items():
        f.reset_index().assign(timestamp=lambda d: d.timestamp.dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
            path / f"{key_symbol(k)}_SYNTH_1m_20240101_20240102.csv", index=False)
    return path

def snapshot(d: Path) -> dict:
    return {p.relative_to(d): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}

def copy_run(run: Path, dest: Path) -> Path:
    shutil.copytree(run, dest, ignore=shutil.ignore_patterns("eval-*")); return dest

def test_a_failed_run_leaves_an_existing_run_folder_byte_identical(finished_run, tmp_path):
    run, _ = finished_run
    before = snapshot(run)
    bad = folder(tmp_path, {GOOD_NAME: candles(r2="2024-01-01T00:02:00Z,10,11,9,12,3")})
    code, _, err = cli("run", "--quiet", "--out", str(run), "--data", str(bad), "-p", "horizon", "15")
    assert code == 2 and "holds a run with another configuration" in one_error_line(err) and "--force" in err   # refused before the data
    assert snapshot(run) == before
    code, _, err = cli("run", "--quiet", "--out", str(run), "--data", str(bad), "-p", "horizon", "15", "--force")
    assert code == 2 and "column 'close', row 2" in one_error_line(err)          # forced, but the data fails before anything is cleared
    assert snapshot(run) == before

def test_evaluate_never_overwrites_another_data_folders_results(finished_run, tmp_path):
    run = copy_run(finished_run[0], tmp_path / "run")
    a, b = csv_dir(tmp_path / "a" / "data", 1), csv_dir(tmp_path / "b" / "data", 2)
    assert cli("evaluate", str(run), "--data", str(a))[0] == 0
    code, _, err = cli("evaluate", str(run), "--data", str(b))
    assert code == 2 and f"{run / 'eval-data'} holds the results on {a}" in one_error_line(err) and "--out" in err
    assert json.loads((run / "eval-data" / "metrics.json").read_text())["data_dir"] == str(a)
    assert cli("evaluate", str(run), "--data", str(b), "--out", "eval-b")[0] == 0
    assert json.loads((run / "eval-b" / "metrics.json").read_text())["data_dir"] == str(b)
    assert cli("evaluate", str(run), "--data", str(a))[0] == 0                          # the same data folder again: refreshed

def test_evaluate_with_a_missing_model_fails_before_reading_data_and_leaves_no_folder(finished_run, tmp_path, monkeypatch):
    import xlstm_study.study.runner as runner
    run = copy_run(finished_run[0], tmp_path / "run")
    (run / "models" / "gbm.skops").unlink()
    monkeypatch.setattr(runner, "load_frames", lambda *a, **k: pytest.fail("data was read before the models were checked"))
    code, _, err = cli("evaluate", str(run), "--data", str(csv_dir(tmp_path / "data", 3)))
    assert code == 2 and f"{run / 'models' / 'gbm.skops'} is missing" in one_error_line(err)
    assert sorted(p.name for p in run.iterdir()) == sorted(p.name for p in finished_run[0].iterdir() if not p.name.startswith("eval-"))

def test_a_failed_evaluate_leaves_no_half_written_folder(finished_run, tmp_path):
    run = copy_run(finished_run[0], tmp_path / "run")
    bad = folder(tmp_path, {GOOD_NAME + ".gz": truncated_gz()})
    code, _, err = cli("evaluate", str(run), "--data", str(bad))
    assert code == 2 and "cannot read the file" in one_error_line(err)
    assert not (run / "eval-data").exists() and not [p for p in run.iterdir() if p.name.startswith(".")]

class Crafted:
    "A pickle that creates a file when it is loaded: what a shared run folder could hold."
    def __init__(self, path): self.path = str(path)
    def __reduce__(self): return (open, (self.path, "w"))

def test_a_pickled_run_folder_is_refused_before_any_code_in_it_runs(finished_run, tmp_path):
    import joblib
    run = copy_run(finished_run[0], tmp_path / "run")
    (run / "models" / "manifest.json").unlink()                                      # a folder as runs were saved before
    joblib.dump(Crafted(tmp_path / "pwned"), run / "models" / "scaler.joblib")
    code, _, err = cli("evaluate", str(run), "--data", str(csv_dir(tmp_path / "data", 4)))
    assert code == 2 and "--trust-pickles" in one_error_line(err) and not (tmp_path / "pwned").exists()

def forge(models: Path, name: str):
    "Update the manifest's hash of `name` as a forger would, so only the file's format stands between it and the loader."
    man = json.loads((models / "manifest.json").read_text())
    for files in [man["files"], *[r["files"] for r in man["rows"].values()]]:
        if name in files: files[name] = sha256_file(models / name)
    (models / "manifest.json").write_text(json.dumps(man))

def test_tampered_model_files_are_refused_before_any_code_in_them_runs(finished_run, tmp_path):
    import os, skops.io as sio
    from sklearn.preprocessing import FunctionTransformer
    from xlstm_study.study.runner import load_final_model
    from xlstm_study.study.evaluate import evaluate_run
    run = copy_run(finished_run[0], tmp_path / "run"); models = run / "models"; cfg = finished_run[1]
    (models / "majority.json").write_text('{"type": "Majority", "cls": 0}')                     # changed since saved
    with pytest.raises(SavedFileError, match="majority.json changed since the run saved it"):
        load_final_model(models, "majority", cfg)
    sio.dump(FunctionTransformer(func=os.system), models / "gbm.skops"); forge(models, "gbm.skops")   # forged: a skops file naming os.system
    with pytest.raises(SavedFileError, match="posix.system|nt.system"):
        load_final_model(models, "gbm", cfg)
    np.savez(models / "scaler.npz", mu=np.array([Crafted(tmp_path / "pwned")], dtype=object), allow_pickle=True); forge(models, "scaler.npz")
    with pytest.raises(SavedFileError, match="scaler.npz: refused"):
        evaluate_run(run, csv_dir(tmp_path / "data", 5), progress=False)
    assert not (tmp_path / "pwned").exists()

def test_a_keras_file_with_a_lambda_layer_is_refused(finished_run, tmp_path):
    "`.keras` files load with Keras' safe_mode: a Python lambda in a crafted model is not deserialised."
    import keras
    from xlstm_study.study.runner import load_final_model
    run = copy_run(finished_run[0], tmp_path / "run"); models = run / "models"
    sentinel = tmp_path / "pwned"; path = str(sentinel)
    inp = keras.Input((3,)); model = keras.Model(inp, keras.layers.Lambda(lambda x: (open(path, "w"), x)[1])(inp))
    model.save(models / "xlstm.keras"); sentinel.unlink()                               # building it ran the lambda once
    man = json.loads((models / "manifest.json").read_text())
    man["rows"]["xlstm"] = dict(model="xlstm", how="saved", type="xlstm_study.training.fit.SequenceModel", prefix="xlstm",
                                files={"xlstm.keras": sha256_file(models / "xlstm.keras")})
    (models / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(SavedFileError, match="xlstm: cannot be loaded safely.*Lambda"):
        load_final_model(models, "xlstm", make_config("smoke", models=("xlstm",)))
    assert not sentinel.exists()
