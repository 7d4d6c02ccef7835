"""Assemble the push-ready Kaggle folders (`make kaggle`): the kernel, the library's dataset and, with `--data`, a candles dataset.

    dist/kaggle/kernel/           kernel-metadata.json + driver.ipynb           kaggle kernels push -p dist/kaggle/kernel
    dist/kaggle/xlstm-study-src/  dataset-metadata.json, the wheel, the stage   kaggle datasets create -p dist/kaggle/xlstm-study-src
                                  notebooks (flat), params.yaml,                (later: kaggle datasets version -p ... -m "...")
                                  keep-preinstalled.txt, gpu_throughput.py, pyproject.toml
    dist/kaggle/candles/          dataset-metadata.json + candle files          kaggle datasets create -p dist/kaggle/candles

`kaggle kernels push` uploads only the code file, so everything the kernel reads besides its own notebook travels in
the datasets. `kaggle datasets create` skips sub-folders by default, so every dataset here is flat. Kaggle unpacks
uploaded zip archives, so a folder of Binance monthly zips (`SYMBOL-1m-YYYY-MM.zip`) is converted here to the
`../shared/data` format (`SYMBOL_BINANCE_1m_START_END.csv.gz`, with the taker-buy volume), which the kernel reads as is.

Usage: python kaggle/build.py [--out dist/kaggle] [--user KAGGLE_USER] [--data DIR] [--venue BINANCE]
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KAGGLE = ROOT / "kaggle"
SRC_SLUG, DATA_SLUG = "xlstm-study-src", "crypto-1m-candles"

def kaggle_user(user=None) -> str:
    "The Kaggle user the ids are written for: `--user`, else $KAGGLE_USERNAME, else ~/.kaggle/kaggle.json's, else the placeholder."
    if user: return user
    if os.environ.get("KAGGLE_USERNAME"): return os.environ["KAGGLE_USERNAME"]
    cfg = Path(os.environ.get("KAGGLE_CONFIG_DIR", Path.home() / ".kaggle")) / "kaggle.json"
    try: return json.loads(cfg.read_text())["username"]
    except (OSError, ValueError, KeyError): return "xlstm-study"

def build_wheel(dst: Path, python=sys.executable) -> Path:
    """The project's wheel, built from a clean copy of the tree (a build/ folder left in the tree would carry modules
    deleted since); no dependencies, no build isolation: the build backend of `python` is used."""
    dst.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for part in ("pyproject.toml", "README.md", "LICENSE", "xlstm_study"):
            s = ROOT / part
            if s.is_dir(): shutil.copytree(s, Path(tmp) / part, ignore=shutil.ignore_patterns("__pycache__"))
            elif s.exists(): shutil.copy(s, Path(tmp) / part)
        subprocess.run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(dst.resolve()), tmp],
                       check=True, cwd=tmp)
    wheels = sorted(dst.glob("xlstm_study-*.whl"))
    if len(wheels) != 1: raise RuntimeError(f"expected one xlstm_study wheel in {dst}, found {[w.name for w in wheels]}")
    return wheels[0]

def dataset_metadata(user: str, slug: str, title: str, subtitle: str) -> dict:
    return {"title": title, "subtitle": subtitle, "id": f"{user}/{slug}", "licenses": [{"name": "apache-2.0"}]}

def write_json(path: Path, obj): path.write_text(json.dumps(obj, indent=2) + "\n")

def build_src_dataset(out: Path, user: str, python=sys.executable) -> Path:
    "The library's dataset: the wheel, every notebook of nbs/ (flat), the parameter file, the list of packages to keep, pyproject.toml."
    d = out / SRC_SLUG; d.mkdir(parents=True)
    whl = build_wheel(d, python)
    for nb in sorted((ROOT / "nbs").glob("*.ipynb")): shutil.copy(nb, d / nb.name)
    for f in ("params.yaml", "keep-preinstalled.txt", "gpu_throughput.py"): shutil.copy(KAGGLE / f, d / f)   # gpu_throughput: the GPU check
    shutil.copy(ROOT / "pyproject.toml", d / "pyproject.toml")      # the notebooks run in the project's layout (nbs/ beside it)
    write_json(d / "dataset-metadata.json", dataset_metadata(
        user, SRC_SLUG, "xlstm-study library and notebooks",
        f"The xlstm-study wheel ({whl.name}), its stage notebooks and the Kaggle parameters"))
    return d

def _link_or_copy(src: Path, dst: Path):
    try: os.link(src, dst)
    except OSError: shutil.copy(src, dst)

def build_candles_dataset(out: Path, user: str, data: Path, venue: str = "BINANCE") -> Path:
    """A flat candles dataset from `data`: candle CSVs (`.csv`, `.csv.gz`) are linked as they are; Binance monthly zips
    are read with the library's loader and written in the shared-data format (Kaggle would unpack the zips)."""
    data = Path(data)
    if not data.is_dir(): raise SystemExit(f"no such data folder: {data}")
    d = out / "candles"; d.mkdir(parents=True)
    csvs = sorted(p for pat in ("*.csv", "*.csv.gz") for p in data.glob(pat))
    zips = sorted(data.glob("*-1m-*.zip"))
    for p in csvs: _link_or_copy(p, d / p.name)
    if zips:
        from xlstm_study.data.candles import load_binance_dir
        for key, df in load_binance_dir(data, extra=True).items():
            sym, _, span = key.split(":")
            start, end = span.split("-")
            frame = df.drop(columns=[c for c in ("trades",) if c in df.columns]).reset_index()
            frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
            frame.to_csv(d / f"{sym}_{venue}_1m_{start}_{end}.csv.gz", index=False)
    if not csvs and not zips: raise SystemExit(f"no candle files (.csv, .csv.gz or Binance *-1m-*.zip) in {data}")
    write_json(d / "dataset-metadata.json", dataset_metadata(
        user, DATA_SLUG, "crypto 1m candles for xlstm-study",
        "One-minute OHLCV candles, one file per symbol, venue and period"))
    return d

def build_kernel(out: Path, user: str) -> Path:
    "The kernel: its metadata (ids written for `user`) and the driver notebook."
    d = out / "kernel"; d.mkdir(parents=True)
    meta = json.loads((KAGGLE / "kernel-metadata.json").read_text())
    own = lambda ref: re.sub(r"^[^/]+/", f"{user}/", ref)
    meta["id"] = own(meta["id"])
    meta["dataset_sources"] = [own(s) for s in meta["dataset_sources"]]
    meta["kernel_sources"] = [own(s) for s in meta.get("kernel_sources", [])]
    write_json(d / "kernel-metadata.json", meta)
    shutil.copy(KAGGLE / meta["code_file"], d / meta["code_file"])
    return d

def build(out, user=None, data=None, venue="BINANCE", python=sys.executable) -> dict:
    out = Path(out); user = kaggle_user(user)
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    made = {"kernel": build_kernel(out, user), "src": build_src_dataset(out, user, python)}
    if data: made["candles"] = build_candles_dataset(out, user, Path(data), venue)
    return made

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "dist" / "kaggle"))
    ap.add_argument("--user", default=None, help="Kaggle user name for the ids (default: $KAGGLE_USERNAME or ~/.kaggle/kaggle.json)")
    ap.add_argument("--data", default=None, help="a folder of candle files to turn into the candles dataset")
    ap.add_argument("--venue", default="BINANCE", help="venue code written for Binance zips (BINANCEPERP for futures/um zips)")
    a = ap.parse_args(argv)
    made = build(a.out, a.user, a.data, a.venue)
    rel = lambda p: os.path.relpath(p, Path.cwd())
    print("Kaggle folders built:")
    for k in ("src", "candles"):
        if k in made: print(f"  kaggle datasets create -p {rel(made[k])}     (an update: kaggle datasets version -p {rel(made[k])} -m 'update')")
    print(f"  kaggle kernels push -p {rel(made['kernel'])}")

if __name__ == "__main__": main()
