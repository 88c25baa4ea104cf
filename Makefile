# The README's two commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= .demo

.PHONY: demo test lint bench clean train-model check-model fuzz

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	FACTLEDGER_HOME=$(DEMO_HOME) $(BIN)/factledger demo $(DEMO_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests migrations
	$(BIN)/ruff format --check src tests migrations
	$(BIN)/mypy
	$(BIN)/lint-imports

# The fuzz targets of tests/fuzz/ (the importers, the URL normaliser, HTML and PDF text, the WARC reader),
# each for FUZZ_SECONDS; a failing input is saved under tests/fuzz/crashes/. Each run draws a new seed
# unless FUZZ_SEED repeats one.
FUZZ_SECONDS ?= 60
FUZZ_SEED ?=
fuzz: $(STAMP)
	$(BIN)/python tests/fuzz/run.py --seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

bench: $(STAMP)
	$(BIN)/python tests/bench/ledger_bench.py

# Fits the check-worthiness model on training/claimbuster/ (fixed seed) and writes the shipped weights
# into src/factledger/ingest/worthiness/; prints the cross-validated candidates it chose from.
train-model: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,train]"
	$(BIN)/python training/train_worthiness.py

# Verifies that the shipped weights are what `make train-model` gives from today's code and data (the
# features of every training sentence, then a refit of the recorded candidate); CI runs it.
check-model: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,train]"
	$(BIN)/python training/train_worthiness.py --check

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache
