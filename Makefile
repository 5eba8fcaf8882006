# `make demo`: set up .venv and run the whole pipeline offline against the demo portal.
# `make test`: set up .venv and run the test suite.
# Setup needs only Python >= 3.11 and the package registries: it creates .venv with the stdlib venv module,
# uses uv from PATH (or installs it into .venv with pip) and installs this project editable with its test extra.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ogi-installed
UV = $(shell command -v uv 2>/dev/null || echo $(BIN)/uv)

.PHONY: setup demo test ui clean-data

setup: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@if ! command -v uv >/dev/null 2>&1 && [ ! -x $(BIN)/uv ]; then \
		$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade; \
		$(BIN)/python -m pip install --quiet uv; \
	fi
	$(UV) pip install --python $(BIN)/python --compile-bytecode -e '.[test]'
	touch $(STAMP)

demo: setup
	$(BIN)/ogi demo

test: setup
	$(BIN)/pytest -q

ui: setup
	$(BIN)/ogi ui

clean-data:
	rm -rf data warehouse/ogi.duckdb warehouse/ogi.duckdb.wal warehouse/report
