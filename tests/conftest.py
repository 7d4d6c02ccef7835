import os, shutil, subprocess, sys, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

def run(cmd, timeout=900, **kw):
    "Run a command; return the CompletedProcess (text output, stdout and stderr together)."
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)

@pytest.fixture(scope="session")
def synthetic_csv_dir(tmp_path_factory):
    "A folder of candle CSV files (a small synthetic market) in the format of ../shared/data."
    from xlstm_study.data.candles import synthetic_market, key_symbol
    d = tmp_path_factory.mktemp("candles")
    for k, f in synthetic_market(4_000, 2, seed=21).frames.items():
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
