# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck unit unit-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	mkdir -p var
	$(BIN)/yichuang serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

# Everything that touches the database again, on PostgreSQL (YICHUANG_TEST_POSTGRES_URL);
# skipped with the reason without a server, a failure under CI=true.
unit-postgres: $(VENV)/.installed-dev
	@if [ -n "$$YICHUANG_TEST_POSTGRES_URL" ]; then \
	  YICHUANG_TEST_DATABASE=postgresql $(BIN)/python -m pytest tests/bot tests/browser; \
	elif [ "$$CI" = "true" ]; then \
	  echo "CI=true and YICHUANG_TEST_POSTGRES_URL is not set"; exit 1; \
	else \
	  echo "skipped: the PostgreSQL pass needs YICHUANG_TEST_POSTGRES_URL"; \
	fi

test: lint typecheck unit unit-postgres

# Benchmarks are measurements, not tests: results go to benchmarks/RESULTS.md.
# PostgreSQL runs need YICHUANG_BENCH_POSTGRES_URL (or YICHUANG_TEST_POSTGRES_URL);
# the soak runs SOAK_MINUTES (30) and is the last and longest step.
SOAK_MINUTES ?= 30
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/nlu_bench.py
	$(BIN)/python benchmarks/serve_bench.py
	$(BIN)/python benchmarks/wechat_bench.py
	$(BIN)/python benchmarks/soak_bench.py --minutes $(SOAK_MINUTES)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
