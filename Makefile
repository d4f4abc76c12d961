# linli (邻里) — development tasks. GNU make.
#
#   make run     venv, migrate, demo data, then serve on http://127.0.0.1:$LINLI_PORT (default 8000)
#   make test    ruff, mypy, then pytest on SQLite and on PostgreSQL (when initdb is installed) side by side
#   make lint    ruff, the import layers and mypy
#   make fmt     ruff format and ruff check --fix
#   make bench   run every bench/*.py
#   make clean   remove .venv, var/ and tool caches
#
# Extra pytest arguments: make test PYTEST_ARGS='-k scope -x'

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Per-run scratch directories for the tests (secret key, SQLite files), away from the dev var/.
TEST_VAR := $(CURDIR)/var/test

.PHONY: help venv run test lint fmt bench clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# The virtualenv, rebuilt whenever pyproject.toml changes.
venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# Development mode: DEBUG on, secret key generated once under var/.
run: export LINLI_DEBUG ?= 1
run: $(STAMP)
	$(BIN)/linli migrate --noinput
	$(BIN)/linli demo
	@# exec: gunicorn replaces the shell, so Ctrl-C reaches it directly and it stops cleanly.
	exec $(BIN)/linli serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# The layers of docs/architecture.md (contracts in pyproject.toml).
	$(BIN)/lint-imports --no-cache
	@# django-stubs imports the settings, which need a secret key: use a throwaway development one.
	LINLI_DEBUG=1 LINLI_VAR_DIR=$(TEST_VAR)/lint $(BIN)/mypy linli

test: $(STAMP)
	@if ! { command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1; then \
	  if [ "$${CI:-}" = true ]; then \
	    echo "make test: CI=true, but PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin)." >&2; \
	    echo "make test: install the server (Debian: apt-get install postgresql) so that the PostgreSQL run is not skipped." >&2; \
	    exit 1; \
	  fi; \
	fi
	@$(MAKE) lint
	@# SQLite and PostgreSQL side by side, one per core; each log is printed when its run ends.
	@scripts/test-both $(TEST_VAR) $(BIN)/pytest $(PYTEST_ARGS)

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	@shopt -s nullglob; files=(bench/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "no benchmarks in bench/"; exit 0; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(BIN)/python "$$f"; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache build *.egg-info
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
