# rncp-graph — every command installs what it needs into .venv first.
#   make build   build the graph from the sample fiches (data/fiches) into out/
#   make test    the test suite but its slow, browser and store groups (a few minutes)
#   make test-slow     the tests marked slow (reference equivalences, real-data loads, kill tests)
#   make test-browser  installs headless Chromium (apt-get, as root) if missing, then the browser test
#   make test-stores   starts Virtuoso (scripts/ensure-virtuoso.sh, when present), then the push tests against it
#   make test-all      the four groups: what .ci/run runs
#   make lint    ruff + mypy
#   make qc      data QC: build, validate, run every checks/*-violation.rq
#   make bench-smoke  the 1k end-to-end benchmark (benchmarks/bench_pipeline.py) and the command line
#                     on the samples (benchmarks/bench_cli.py --smoke), no timed assertion

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test test-slow test-browser test-stores test-all lint qc bench-smoke clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/rncp-graph build data/fiches --out out

# the groups are pytest markers (pyproject.toml); each test belongs to exactly one target
FAST := not slow and not browser and not virtuoso
# processes of `make test` (pytest-xdist; 0: in this process)
JOBS ?= 2

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) -m "$(FAST)"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m "slow and not browser and not virtuoso"

test-browser: $(STAMP)
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -m browser

# pytest exits 5 when no test carries the marker (none before the Virtuoso tests exist)
test-stores: $(STAMP)
	if [ -f scripts/ensure-virtuoso.sh ]; then bash scripts/ensure-virtuoso.sh; fi
	$(BIN)/python -m pytest -m virtuoso || test $$? -eq 5

test-all: test test-slow test-browser test-stores

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

qc: $(STAMP)
	$(BIN)/rncp-graph build data/fiches --out out/qc
	$(BIN)/rncp-graph check out/qc/rncp.nt

# 1,000 generated fiches end to end (build with validation, exports) plus the pyoxigraph ceiling;
# a fresh report each time: benchmarks/results/smoke.md, git-ignored (work files in benchmarks/results/tmp/).
bench-smoke: $(STAMP)
	rm -f benchmarks/results/smoke.jsonl
	$(BIN)/python benchmarks/bench_pipeline.py --sizes 1000 --modes e2e ceiling --name smoke
	test -s benchmarks/results/smoke.md
	$(BIN)/python benchmarks/bench_cli.py --smoke

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
