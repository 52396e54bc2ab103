# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup setup-test bench lint chromium app postgres

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

# The browser tests drive Debian's Chromium (Playwright's own browser download does not work
# here): installed with apt when missing and we are root (CI), else a clear message.
chromium:
	@if [ -x /usr/bin/chromium ]; then \
		echo "chromium: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && \
		echo "chromium: installed /usr/bin/chromium"; \
	else \
		echo "the browser tests need Debian's Chromium: sudo apt-get install -y chromium" >&2; \
		exit 1; \
	fi

# The history tests run a real PostgreSQL server; reports are checked with poppler-utils.
postgres:
	bash scripts/ci_postgres.sh

# Last, the wheel: built, installed in a clean virtualenv and run outside the checkout.
test: setup-test chromium postgres
	$(BIN)/ruff check app.py gaitlab tests benchmarks scripts
	$(BIN)/python -m pytest -q
	bash scripts/wheel_smoke.sh $(PYTHON)

app: setup
	$(BIN)/gaitlab app

bench: setup
	$(BIN)/python benchmarks/throughput.py sample_videos/demo.mp4
