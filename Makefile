# loopbaansim: the two commands a user needs are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pyenv selects Python 3.12 through .python-version; fall back to python3.12 on PATH.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3 2>/dev/null)
BENCH_RUNS ?= 3
# The law as it stands, the 2020 rules held, the resolution's asks (each against the one it extends), the centres'
# incentive, the loopbaankrediet's two named envelopes, and the resolution as a whole with each ask's part: under the
# law, and under each envelope (who is crowded out).
SCENARIOS := law_2025 baseline_2020 herintreders herintreders_strict herintreders_outreach vdab_followup \
	quality_monitoring quality_inspection centre_incentive budget_cap budget_savings resolution_full resolution_envelope \
	resolution_savings
EFFECT_SCALE ?= 0.25
# Replications of `make run` (full scale, one process each on the two cores, two at a time): the report's intervals.
RUN_REPLICATIONS ?= 6
RUN_WORKERS ?= 2
# The run with parameter sets behind the report's "what would sharpen this answer": the whole resolution against the
# law (resolution_whole: without the runs of its parts), every assumption no data identify drawn (about 8 minutes:
# a group of up to 14 drawn values needs many more sets than that for its share to be told apart from chance).
UNCERTAINTY_SETS ?= 96
UNCERTAINTY_SCALE ?= 0.02

.PHONY: setup run report app browser test lint bench bench-uncertainty calibrate backcast effects clean-venv

setup: $(STAMP)

# Installs the package, then compiles the model's kernels once into numba's cache (about 45 s), so that the processes
# after it (the test suite's workers, the workers of replications and of the page) load them rather than each
# compiling them at the same time.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Python >= 3.12 is needed, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -W ignore -m model.interfaces.kernels
	touch $(STAMP)

# The back-cast (for the report's out-of-sample years), the scenarios, the law and the resolution under the two
# other projections of the employment rate (the headline side by side), the resolution with parameter sets (what
# would sharpen the answer), the effect of guidance, then the report in
# English and in Dutch; the last line printed is the Dutch report's path. Each command prints its folder last.
run: $(STAMP)
	@mkdir -p outputs
	$(BIN)/loopbaan backcast | tee outputs/.last-backcast.txt
	$(BIN)/loopbaan run $(SCENARIOS) --replications $(RUN_REPLICATIONS) --workers $(RUN_WORKERS) | tee outputs/.last-run.txt
	$(BIN)/loopbaan run law_2025 resolution_full --projection trend --replications $(RUN_WORKERS) --workers $(RUN_WORKERS) \
	  | tee outputs/.last-trend.txt
	$(BIN)/loopbaan run law_2025 resolution_full --projection frozen --replications $(RUN_WORKERS) --workers $(RUN_WORKERS) \
	  | tee outputs/.last-frozen.txt
	$(BIN)/loopbaan run law_2025 resolution_whole --parameter-sets $(UNCERTAINTY_SETS) --replications 2 \
	  --scale $(UNCERTAINTY_SCALE) --workers $(RUN_WORKERS) | tee outputs/.last-uncertainty.txt
	$(BIN)/loopbaan effects herintreders --scale $(EFFECT_SCALE)
	$(MAKE) --no-print-directory report RUN_DIR="$$(tail -n 1 outputs/.last-run.txt)" BACKCAST="$$(tail -n 1 outputs/.last-backcast.txt)" \
	  ALTERNATIVES="$$(tail -n 1 outputs/.last-trend.txt) $$(tail -n 1 outputs/.last-frozen.txt)" \
	  UNCERTAINTY="$$(tail -n 1 outputs/.last-uncertainty.txt)"

# The report of a run folder in both languages:
#   make report RUN_DIR=outputs/... [BACKCAST=outputs/...-backcast-...] [ALTERNATIVES="outputs/...-trend outputs/..."]
#               [UNCERTAINTY=outputs/<a run with parameter sets>]
report: $(STAMP)
	@test -n "$(RUN_DIR)" || { echo "make report: give RUN_DIR=outputs/<a run folder>"; exit 2; }
	$(BIN)/loopbaan report "$(RUN_DIR)" --lang en $(if $(BACKCAST),--backcast "$(BACKCAST)") \
	  $(foreach a,$(ALTERNATIVES),--alternative "$(a)") $(if $(UNCERTAINTY),--uncertainty "$(UNCERTAINTY)")
	$(BIN)/loopbaan report "$(RUN_DIR)" --lang nl $(if $(BACKCAST),--backcast "$(BACKCAST)") \
	  $(foreach a,$(ALTERNATIVES),--alternative "$(a)") $(if $(UNCERTAINTY),--uncertainty "$(UNCERTAINTY)")

# The what-if page on http://127.0.0.1:8765
app: $(STAMP)
	$(BIN)/loopbaan app

# Chromium and its driver from the system packages, for the what-if page's browser test.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium and chromium-driver (system packages) for the page's test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else \
	    echo "the what-if page's test needs Chromium: apt-get install chromium chromium-driver (as root)"; exit 2; \
	  fi; \
	fi

test: $(STAMP) lint browser
	$(BIN)/python -m pytest

# ruff, and the structure of model/ as contracts: its layers, and no import circles (import-linter: pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

calibrate: $(STAMP)
	$(BIN)/loopbaan calibrate

backcast: $(STAMP)
	$(BIN)/loopbaan backcast

effects: $(STAMP)
	$(BIN)/loopbaan effects herintreders --scale $(EFFECT_SCALE)

bench: $(STAMP)
	$(BIN)/python -m model.interfaces.bench scenarios/law_2025.yaml --runs $(BENCH_RUNS)

# The uncertainty workloads: 100 replications of six scenarios at scale 0.1, and a Morris screening (about 20 minutes).
bench-uncertainty: $(STAMP)
	$(BIN)/python -m model.interfaces.bench --uncertainty

clean-venv:
	rm -rf $(VENV)
