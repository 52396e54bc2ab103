# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup setup-test bench lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/python scripts/fetch_samples.py

setup-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/python scripts/fetch_samples.py

demo: setup
	$(BIN)/gaitlab analyze sample_videos/demo.mp4 --task walk --out out/demo

test: setup-test
	$(BIN)/ruff check gaitlab tests benchmarks scripts
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/throughput.py sample_videos/demo.mp4
