import contextlib, importlib.util, io, json, os, shutil, subprocess, sys, time
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

# The Kaggle driver (kaggle/driver.ipynb) run as Kaggle runs it: from the wheel `make kaggle` built (kaggle/build.py), by the
# papermill of .venv-kaggle (the Kaggle image's versions, kaggle/image-versions.txt), against a fake /kaggle/input; shared
# by tests/test_kaggle.py (folder, install, pins, resume) and tests/test_papermill.py (parameters in, run folder out, SHAP).
# The whole default study runs once, through the command line (`smoke_run`); this one is the smallest that still holds
# a tabular row, one small xLSTM (the default "ms" blocks, so SHAP goes through the sLSTM's loop) and two folds.
TINY = dict(n_folds=2, lookback=20, models=["majority", "persistence", "xlstm"], epochs=1, nn_max_train_samples=200,
            batch_size=64, embed_dim=16, max_test_samples=200, shap_samples=8)

_spec = importlib.util.spec_from_file_location("kaggle_build", ROOT / "kaggle" / "build.py")
kaggle_build = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(kaggle_build)   # what `make kaggle` runs
KVENV = Path(os.environ.get("XLSTM_STUDY_KAGGLE_VENV", ROOT / ".venv-kaggle"))
if not KVENV.is_absolute(): KVENV = ROOT / KVENV

@pytest.fixture(scope="session")
def kaggle_dist(tmp_path_factory):
    "The folders `make kaggle` builds: $XLSTM_STUDY_KAGGLE_DIST (the Makefile's dist/kaggle), else built here the same way."
    d = os.environ.get("XLSTM_STUDY_KAGGLE_DIST")
    out = (ROOT / d if not Path(d).is_absolute() else Path(d)) if d else tmp_path_factory.mktemp("dist") / "kaggle"
    if not d: kaggle_build.build(out, user="someone")
    return {"kernel": out / "kernel", "src": out / kaggle_build.SRC_SLUG}

# The driver's smoke path: the stage notebook 00_core and the study with the tiny parameters (conftest.TINY) on two
# synthetic candle files, run by papermill from .venv-kaggle's Python, as Kaggle runs the kernel.
SMOKE_NOTEBOOKS = ["00_core"]

def _driver(py, kaggle_dist, root, inp, work, name, **params):
    import yaml
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(XLSTM_STUDY_KAGGLE_INPUT=str(inp), XLSTM_STUDY_KAGGLE_WORKING=str(work), PATH=f"{py.parent}:{env.get('PATH', '')}")
    out = root / f"{name}.ipynb"
    proc = run([str(py), "-m", "papermill", str(kaggle_dist["kernel"] / "driver.ipynb"), str(out), "-k", "python3",
                "--cwd", str(work), "-y", yaml.safe_dump(params)], env=env, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    nb = json.loads(out.read_text())
    text = "".join(o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
                   for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "stream")
    return text

@pytest.fixture(scope="session")
def kaggle_pinned_run(tmp_path_factory, synthetic_csv_dir, kaggle_dist):
    "The driver run twice in .venv-kaggle: a first start, then a restart (install off) that must skip what finished."
    py = KVENV / "bin" / "python"
    if not py.exists():
        msg = f"{KVENV} (the Kaggle image's versions) does not exist: `make kaggle-test` creates it"
        if os.environ.get("CI"): pytest.fail(msg)
        pytest.skip(msg)
    root = tmp_path_factory.mktemp("kaggle")
    inp, work = root / "input", root / "working"
    shutil.copytree(kaggle_dist["src"], inp / kaggle_build.SRC_SLUG)
    shutil.copytree(synthetic_csv_dir, inp / "crypto-1m-candles")
    work.mkdir()
    params = dict(profile="smoke", notebooks=SMOKE_NOTEBOOKS, extra_params=TINY)
    first = _driver(py, kaggle_dist, root, inp, work, "driver.first", **params)
    stamps = {p.name: p.stat().st_mtime_ns for p in work.glob("*.ipynb")}
    second = _driver(py, kaggle_dist, root, inp, work, "driver.second", install=False, **params)
    return dict(py=py, inp=inp, work=work, first=first, second=second, stamps=stamps)

@pytest.fixture(scope="session")
def kaggle_run(kaggle_pinned_run):
    "The pinned driver run's (input, working) folders."
    return kaggle_pinned_run["inp"], kaggle_pinned_run["work"]
