# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint lock bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime  ## set up and run the app on the bundled data
	$(BIN)/streamlit run app.py

test: $(VENV)/.dev  ## set up and run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .

lock: $(VENV)/.dev  ## recompile the pinned requirements
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links requirements.in -o requirements.txt
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links requirements-dev.in -o requirements-dev.txt

bench: $(VENV)/.dev  ## run the benchmarks (about 30 min) and rewrite benchmarks/RESULTS.md
	$(BIN)/python -m benchmarks.optimizer_bench --write
	$(BIN)/python -m benchmarks.ui_bench --write
	$(BIN)/python -m benchmarks.store_load --write
