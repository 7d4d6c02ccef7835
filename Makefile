# xlstm-study: `make study` and `make test` are the two commands a newcomer needs (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := study

PROFILE ?= smoke
DATA ?=
NAME ?= $(PROFILE)
VENV := .venv
BIN := $(VENV)/bin

# Python 3.12: `python3.12` on PATH (a plain machine), else pyenv's 3.12 (this one). A pyenv shim
# that cannot run is skipped, so the first interpreter that really starts wins.
PYTHON312 ?= $(shell for p in python3.12 $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)

STAMP := $(VENV)/.installed

# The Kaggle image's stack (kaggle/image-versions.txt) in a second environment, where `kaggle-test` runs the driver.
KVENV := .venv-kaggle
KSTAMP := $(KVENV)/.installed
KAGGLE_OUT ?= dist/kaggle
KAGGLE_ENV = XLSTM_STUDY_KAGGLE_DIST=$(KAGGLE_OUT) XLSTM_STUDY_KAGGLE_VENV=$(KVENV)

.PHONY: setup study test bench nbtest pytest export clean-nbs kaggle kaggle-env kaggle-test clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found: install it (e.g. pyenv install 3.12) or set PYTHON312=/path/to/python3.12"; exit 1; }
	@echo "Using $(PYTHON312)"
	test -x $(BIN)/python || $(PYTHON312) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[cpu,dev]"
	$(BIN)/python -c "import xlstm_study, pandas_ta, keras, tensorflow, papermill, nbdev; print('installed: keras', keras.__version__, '| tensorflow', tensorflow.__version__)"
	touch $(STAMP)

study: $(STAMP)
	$(BIN)/xlstm-study run --profile $(PROFILE) $(if $(DATA),--data $(DATA),) --out runs/$(NAME)

# nbdev-test executes every notebook (cells flagged slow/gpu/notest are skipped); pytest covers
# packaging, the command line, papermill runs and the Kaggle folder, whose driver runs in $(KVENV) (Kaggle's versions).
# The Kaggle environment is built in the background meanwhile (mostly downloads), its log shown after the notebooks.
test:
	@mkdir -p dist; $(MAKE) --no-print-directory kaggle-env > dist/kaggle-env.log 2>&1 & kpid=$$!; \
	$(MAKE) --no-print-directory $(STAMP) kaggle && $(BIN)/nbdev-test --n-workers 2 --timing; rc=$$?; \
	wait $$kpid; krc=$$?; cat dist/kaggle-env.log; \
	if [ $$krc -ne 0 ]; then echo "building $(KVENV) failed (dist/kaggle-env.log above)"; exit 1; fi; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	$(KAGGLE_ENV) $(BIN)/python -m pytest -q --durations=15 tests

bench: $(STAMP)
	$(BIN)/xlstm-study bench --out runs/bench

export: $(STAMP)
	$(BIN)/nbdev-export
	$(BIN)/nbdev-clean

# The push-ready Kaggle folders: dist/kaggle/kernel (metadata + driver), dist/kaggle/xlstm-study-src (the wheel, the
# notebooks, params.yaml) and, with DATA=dir, dist/kaggle/candles. KAGGLE_USER= names the owner in the ids.
kaggle: $(STAMP)
	$(BIN)/python kaggle/build.py --out $(KAGGLE_OUT) $(if $(DATA),--data $(DATA),) $(if $(KAGGLE_USER),--user $(KAGGLE_USER),)

kaggle-env: $(KSTAMP)

$(KSTAMP): kaggle/image-versions.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found: install it (e.g. pyenv install 3.12) or set PYTHON312=/path/to/python3.12"; exit 1; }
	rm -rf $(KVENV)
	$(PYTHON312) -m venv $(KVENV)
	$(KVENV)/bin/python -m pip install --quiet --quiet -r kaggle/image-versions.txt
	$(KVENV)/bin/python -c "import keras, tensorflow, numpy; print('$(KVENV): keras', keras.__version__, '| tensorflow', tensorflow.__version__, '| numpy', numpy.__version__)"
	touch $(KSTAMP)

# The driver's smoke path end to end in $(KVENV), against a fake /kaggle/input holding dist/kaggle's wheel dataset.
kaggle-test: $(STAMP) kaggle $(KSTAMP)
	$(KAGGLE_ENV) $(BIN)/python -m pytest -q --durations=5 tests/test_kaggle.py

clean:
	rm -rf $(VENV) $(KVENV) runs dist
