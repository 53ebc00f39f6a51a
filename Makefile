# loopbaansim: the two commands a user needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pyenv selects Python 3.12 through .python-version; fall back to python3.12 on PATH.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3 2>/dev/null)
BENCH_RUNS ?= 3
# The law as it stands, the 2020 rules held, the resolution's asks (each against the one it extends), the centres'
# incentive, a budget cap, and the resolution as a whole with each ask's part.
SCENARIOS := law_2025 baseline_2020 herintreders herintreders_literal herintreders_outreach vdab_followup \
	quality_monitoring centre_incentive budget_cap resolution_full
EFFECT_SCALE ?= 0.25

.PHONY: setup run test lint bench bench-uncertainty calibrate backcast effects clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Python >= 3.12 is needed, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/loopbaan run $(SCENARIOS)
	$(BIN)/loopbaan effects herintreders --scale $(EFFECT_SCALE)

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

calibrate: $(STAMP)
	$(BIN)/loopbaan calibrate

backcast: $(STAMP)
	$(BIN)/loopbaan backcast

effects: $(STAMP)
	$(BIN)/loopbaan effects herintreders --scale $(EFFECT_SCALE)

bench: $(STAMP)
	$(BIN)/python -m model.bench scenarios/law_2025.yaml --runs $(BENCH_RUNS)

# The uncertainty workloads: 100 replications of six scenarios at scale 0.1, and a Morris screening (about 20 minutes).
bench-uncertainty: $(STAMP)
	$(BIN)/python -m model.bench --uncertainty

clean-venv:
	rm -rf $(VENV)
