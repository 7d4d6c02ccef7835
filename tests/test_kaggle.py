"""The Kaggle folder (`make kaggle`) and its driver, run end to end from the built wheel under the Kaggle image's package
versions (`.venv-kaggle`, made from kaggle/image-versions.txt by `make kaggle-test` and `make test`) against a fake
/kaggle/input."""
import json, subprocess, zipfile
from importlib import metadata
from pathlib import Path
import pytest
from conftest import ROOT, TINY, KVENV, kaggle_build

KAGGLE = ROOT / "kaggle"
def test_kernel_metadata():
    m = json.loads((KAGGLE / "kernel-metadata.json").read_text())
    for k in ("id", "title", "code_file", "language", "kernel_type", "is_private", "enable_gpu", "enable_tpu",
              "enable_internet", "dataset_sources", "competition_sources", "kernel_sources", "model_sources",
              "docker_image_pinning_type"):
        assert k in m, k
    assert m["enable_gpu"] is True and m["enable_internet"] is True      # set explicitly
    assert m["machine_shape"] == "NvidiaTeslaT4"                         # GPU T4 x2: without it a push gets the P100
    assert (KAGGLE / m["code_file"]).exists() and m["kernel_type"] == "notebook"
    assert len(m["dataset_sources"]) == 2 and m["docker_image_pinning_type"] == "original"

def test_params_file_names_only_study_parameters():
    import yaml
    from xlstm_study.core import make_config
    p = yaml.safe_load((KAGGLE / "params.yaml").read_text())
    make_config(p.pop("profile", "kaggle"), **p)

def test_kaggle_folder_is_push_ready(kaggle_dist):
    "The kernel folder holds the metadata and the driver; the library's dataset is flat and holds what the driver reads."
    kern, src = kaggle_dist["kernel"], kaggle_dist["src"]
    m = json.loads((kern / "kernel-metadata.json").read_text())
    assert (kern / m["code_file"]).read_text() == (KAGGLE / "driver.ipynb").read_text()
    user = m["id"].split("/")[0]
    ds = json.loads((src / "dataset-metadata.json").read_text())
    assert ds["id"] == f"{user}/{kaggle_build.SRC_SLUG}" and ds["id"] in m["dataset_sources"]
    assert 6 <= len(ds["title"]) <= 50 and ds["licenses"][0]["name"]
    assert all(s.startswith(f"{user}/") for s in m["dataset_sources"])
    assert not [p for p in src.iterdir() if p.is_dir()]                    # `kaggle datasets create` skips folders
    assert {"params.yaml", "keep-preinstalled.txt", "90_study.ipynb", "00_core.ipynb"} <= {p.name for p in src.iterdir()}
    (whl,) = src.glob("xlstm_study-*.whl")
    with zipfile.ZipFile(whl) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "xlstm_study/study/runner.py" in names and "Requires-Dist: keras>=3.13" in meta

def _binance_zip(path, start_ms, n, price=100.0):
    "A monthly kline zip as Binance publishes it: 12 columns, no header, open times in ms."
    rows = []
    for i in range(n):
        t = start_ms + 60_000 * i; o = price + i * 0.1
        rows.append(f"{t},{o},{o + 0.5},{o - 0.5},{o + 0.2},{10 + i % 3},{t + 59_999},{1000.0},{5},{4.0},{400.0},0")
    with zipfile.ZipFile(path, "w") as z: z.writestr(path.stem + ".csv", "\n".join(rows) + "\n")

def test_candles_dataset_from_binance_zips_and_csvs(tmp_path, synthetic_csv_dir):
    "Binance zips become shared-data-format files (Kaggle would unpack the zips) that load as the zips do; CSVs pass as they are."
    from xlstm_study.data.candles import load_binance_dir, load_candles
    zips = tmp_path / "zips"; zips.mkdir()
    _binance_zip(zips / "BTCUSDT-1m-2024-01.zip", 1704067200000, 300)
    _binance_zip(zips / "BTCUSDT-1m-2024-02.zip", 1704067200000 + 300 * 60_000, 200)
    d = kaggle_build.build_candles_dataset(tmp_path / "out", "someone", zips)
    assert sorted(p.name for p in d.glob("*.csv.gz")) == ["BTCUSDT_BINANCE_1m_20240101_20240101.csv.gz"]
    (got,), (want,) = load_candles(d).values(), load_binance_dir(zips, extra=True).values()
    assert len(got) == 500 and got.index.equals(want.index)
    assert (got[["open", "high", "low", "close", "volume", "taker_buy_volume"]] == want[["open", "high", "low", "close", "volume", "taker_buy_volume"]]).all().all()
    assert json.loads((d / "dataset-metadata.json").read_text())["id"] == "someone/crypto-1m-candles"
    c = kaggle_build.build_candles_dataset(tmp_path / "out2", "someone", synthetic_csv_dir)
    assert sorted(p.name for p in c.glob("*.csv.gz")) == sorted(p.name for p in synthetic_csv_dir.glob("*.csv.gz"))

def test_driver_runs_from_the_wheel_under_kaggles_versions(kaggle_pinned_run):
    "From the built wheel in .venv-kaggle: the image's pins hold, the stage notebook and the study ran, the study's parameters arrived."
    r = kaggle_pinned_run; inp, work = r["inp"], r["work"]
    site = subprocess.run([str(r["py"]), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    line = next(l for l in r["first"].splitlines() if l.startswith("xlstm_study ") and " from " in l)
    assert line.split(" from ")[1].startswith(site + "/xlstm_study/"), line     # the wheel, not the source tree
    pins = dict(l.split("==") for l in (work / "constraints.txt").read_text().split())
    versions = dict(l.split("==") for l in (KAGGLE / "image-versions.txt").read_text().split() if "==" in l and not l.startswith("#"))
    for name in ("keras", "numpy", "numba", "tensorflow-cpu", "pandas", "scikit-learn"):
        assert pins[name] == versions[name], name                             # Kaggle's versions, kept through installing
    assert pins["keras"] != metadata.version("keras") or pins["numpy"] != metadata.version("numpy")   # not this machine's stack
    for name in ("00_core", "90_study.smoke"):
        assert (work / f"{name}.ipynb").exists() and json.loads((work / f"{name}.done").read_text())["seconds"] > 0
    meta = json.loads((work / "runs" / "smoke" / "metrics.json").read_text())
    assert meta["profile"] == "smoke" and Path(meta["config"]["data_dir"]) == (inp / "crypto-1m-candles").resolve()
    assert {k: meta["config"][k] for k in TINY} == TINY
    assert sorted({r["fold"] for r in meta["rows"]}) == list(range(TINY["n_folds"]))
    assert {r["model"] for r in meta["rows"]} == set(TINY["models"])

def test_driver_resumes_on_a_restart(kaggle_pinned_run):
    "A restart skips every notebook whose clean-finish marker is there (the first start ran them: no marker, no skip)."
    r = kaggle_pinned_run; work = r["work"]
    assert "00_core: running" in r["first"] and "90_study.smoke: running" in r["first"]
    for name in ("00_core", "90_study.smoke"):
        assert f"{name}: finished before" in r["second"] and f"{name}: running" not in r["second"]
    now = {p.name: p.stat().st_mtime_ns for p in work.glob("*.ipynb")}
    assert now == r["stamps"]                                  # no executed copy was rewritten
    assert (work / "runs" / "smoke" / "metrics.json").exists()
