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

.PHONY: setup study test bench nbtest pytest export clean-nbs kaggle-test clean

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
# packaging, the command line, papermill runs and the Kaggle folder.
test: $(STAMP)
	$(BIN)/nbdev-test --n-workers 2 --timing
	$(BIN)/python -m pytest -q --durations=15 tests

bench: $(STAMP)
	$(BIN)/xlstm-study bench --out runs/bench

export: $(STAMP)
	$(BIN)/nbdev-export
	$(BIN)/nbdev-clean

clean:
	rm -rf $(VENV) runs
