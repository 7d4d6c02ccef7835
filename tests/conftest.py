import contextlib, io, os, shutil, subprocess, sys, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

def run(cmd, timeout=900, **kw):
    "Run a command; return the CompletedProcess (text output, stdout and stderr together)."
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)

def cli_main(*argv):
    "`xlstm-study ARGV` in this process (what the console script's `sys.exit(main())` runs): (exit code, stdout, stderr)."
    from xlstm_study.study.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): code = main(list(argv))
    return code, out.getvalue(), err.getvalue()

@pytest.fixture(scope="session")
def synthetic_csv_dir(tmp_path_factory):
    "A folder of candle CSV files (a small synthetic market) in the format of ../shared/data."
    from xlstm_study.data.candles import synthetic_market, key_symbol
    d = tmp_path_factory.mktemp("candles")
    for k, f in synthetic_market(3_000, 2, seed=21).frames.items():
        out = f.reset_index()
        out["timestamp"] = out["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.to_csv(d / f"{key_symbol(k)}_SYNTH_1m_20240101_20240103.csv.gz", index=False)
    return d

@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    "The README's main command, run once: `xlstm-study run --profile smoke` (what `make study` calls)."
    out = tmp_path_factory.mktemp("runs") / "smoke"
    t0 = time.time()
    proc = run([str(BIN / "xlstm-study"), "run", "--profile", "smoke", "--out", str(out)])
    return out, time.time() - t0, proc

# The papermill run of nbs/90_study.ipynb, made the way Kaggle makes it (kaggle/driver.ipynb), shared by
# tests/test_kaggle.py (the driver's paths and pins) and tests/test_papermill.py (parameters in, run folder out, SHAP).
# The whole default study runs once, through the command line (`smoke_run`); this one is the smallest that still holds
# a tabular row, one small xLSTM (the default "ms" blocks, so SHAP goes through the sLSTM's loop) and two folds.
TINY = dict(n_folds=2, lookback=20, models=["majority", "persistence", "xlstm"], epochs=1, nn_max_train_samples=200,
            batch_size=64, embed_dim=16, max_test_samples=200, shap_samples=8)

@pytest.fixture(scope="session")
def kaggle_run(tmp_path_factory, synthetic_csv_dir):
    "kaggle/driver.ipynb run locally against a fake /kaggle/input (the repository and a candles dataset): (input, working)."
    pm = pytest.importorskip("papermill")
    root = tmp_path_factory.mktemp("kaggle")
    inp, work = root / "input", root / "working"
    shutil.copytree(synthetic_csv_dir, inp / "crypto-1m-candles")
    src = inp / "xlstm-study-src"; src.mkdir()
    for part in ("pyproject.toml", "nbs", "kaggle", "xlstm_study", "README.md"):
        s = ROOT / part
        (shutil.copytree if s.is_dir() else shutil.copy)(s, src / part, **({"ignore": shutil.ignore_patterns("__pycache__")} if s.is_dir() else {}))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSTM_STUDY_KAGGLE_INPUT", str(inp))
        mp.setenv("XLSTM_STUDY_KAGGLE_WORKING", str(work))
        pm.execute_notebook(str(ROOT / "kaggle" / "driver.ipynb"), str(root / "driver.out.ipynb"), kernel_name="python3",
                            parameters=dict(profile="smoke", install=False, extra_params=TINY))
    return inp, work
