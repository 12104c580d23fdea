# rncp-graph — every command installs what it needs into .venv first.
#   make build   build the graph from the sample fiches (data/fiches) into out/
#   make test    run the whole test suite
#   make lint    ruff + mypy
#   make qc      data QC: build, validate, run every checks/*-violation.rq
#   make bench-smoke  the 1k end-to-end benchmark (benchmarks/bench_pipeline.py) and the command line
#                     on the samples (benchmarks/bench_cli.py --smoke), no timed assertion

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test lint qc bench-smoke clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/rncp-graph build data/fiches --out out

test: $(STAMP)
	bash scripts/ensure-chromium.sh || echo "no chromium: the browser test of the ontology pages will be skipped"
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

qc: $(STAMP)
	$(BIN)/rncp-graph build data/fiches --out out/qc
	$(BIN)/rncp-graph check out/qc/rncp.nt

# 1,000 generated fiches end to end (build with validation, exports) plus the pyoxigraph ceiling;
# a fresh report each time: benchmarks/results/smoke.md (work files in benchmarks/results/tmp/).
bench-smoke: $(STAMP)
	rm -f benchmarks/results/smoke.jsonl
	$(BIN)/python benchmarks/bench_pipeline.py --sizes 1000 --modes e2e ceiling --name smoke
	test -s benchmarks/results/smoke.md
	$(BIN)/python benchmarks/bench_cli.py --smoke

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
