# loopbaansim: the two commands a user needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pyenv selects Python 3.12 through .python-version; fall back to python3.12 on PATH.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3 2>/dev/null)
BENCH_RUNS ?= 3
SCENARIOS := scenarios/baseline_2020.yaml scenarios/pre2020_rules.yaml scenarios/herintreders.yaml

.PHONY: setup run test lint bench calibrate backcast clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Python >= 3.12 is needed, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/loopbaan run $(SCENARIOS)

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

calibrate: $(STAMP)
	$(BIN)/loopbaan calibrate

backcast: $(STAMP)
	$(BIN)/loopbaan backcast

bench: $(STAMP)
	$(BIN)/python -m model.bench scenarios/baseline_2020.yaml --runs $(BENCH_RUNS)

clean-venv:
	rm -rf $(VENV)
