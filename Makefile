# icgpu developer tasks. `make help` lists them.

SHELL := /bin/bash

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST := $(BIN)/pytest -q $(PYTEST_ARGS)

# `make run HOST=0.0.0.0 PORT=9000` overrides these (environment vars do not).
HOST := 127.0.0.1
PORT := 8000

.PHONY: help install test-deps run lint test test-sqlite test-pg fuzz schema bench clean

help:
	@echo "make install      create $(VENV) and pip install -e '.[dev]' (when pyproject.toml changed)"
	@echo "make run          serve on $(HOST):$(PORT) (HOST=, PORT= to override)"
	@echo "make lint         ruff + mypy"
	@echo "make test         lint, then pytest (every suite, tests/fuzz included) on SQLite and on a private PostgreSQL"
	@echo "make test-deps    install the system tools the tests need (ssh-keygen) when missing"
	@echo "make test-sqlite  pytest on SQLite only"
	@echo "make test-pg      pytest on PostgreSQL only"
	@echo "make fuzz         only the schemathesis suite (tests/fuzz: REST on schema/openapi.json + GraphQL), SQLite"
	@echo "make schema       write schema/schema.graphql"
	@echo "make bench        run bench/list_instances.py"
	@echo "make clean        remove $(VENV), .icgpu, .pytest_cache, .test-pg"
	@echo "PYTEST_ARGS='-k foo -x' is passed to pytest."

# --- install ----------------------------------------------------------------
# pip runs only when pyproject.toml is newer than the stamp.
install: $(STAMP)

$(BIN)/python:
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	touch $@

# System tools the tests call (ssh-keygen); apt-get runs only when one is missing.
test-deps:
	scripts/test-deps.sh

# --- run --------------------------------------------------------------------
# ICGPU_* environment variables pass through to the server.
run: install
	$(BIN)/icgpu serve --host $(HOST) --port $(PORT)

# --- checks -----------------------------------------------------------------
lint: install
	$(BIN)/ruff check server tests bench
	$(BIN)/mypy

# Both backends. PostgreSQL is a private cluster from scripts/pg-up.sh; the
# EXIT trap stops it whatever happens. Both runs always execute; the target
# fails if either fails (including pytest's exit 5, "no tests collected").
test: test-deps install lint
	@status=0; \
	trap 'scripts/pg-down.sh || status=1; exit $$status' EXIT; \
	trap 'status=130; exit' INT TERM; \
	url=$$(scripts/pg-up.sh) || { echo "make test: pg-up.sh failed" >&2; status=1; exit; }; \
	echo "== pytest on SQLite"; \
	ICGPU_TEST_DATABASE=sqlite $(PYTEST) || { rc=$$?; echo "== SQLite run failed (exit $$rc)"; status=1; }; \
	echo "== pytest on PostgreSQL ($$url)"; \
	export ICGPU_TEST_DATABASE_URL="$$url"; \
	ICGPU_TEST_DATABASE=postgresql $(PYTEST) -m 'not db_independent' || { rc=$$?; echo "== PostgreSQL run failed (exit $$rc)"; status=1; }; \
	exit $$status

test-sqlite: test-deps install
	ICGPU_TEST_DATABASE=sqlite $(PYTEST)

test-pg: test-deps install
	@status=0; \
	trap 'scripts/pg-down.sh || status=1; exit $$status' EXIT; \
	trap 'status=130; exit' INT TERM; \
	url=$$(scripts/pg-up.sh) || { echo "make test-pg: pg-up.sh failed" >&2; status=1; exit; }; \
	echo "== pytest on PostgreSQL ($$url)"; \
	export ICGPU_TEST_DATABASE_URL="$$url"; \
	ICGPU_TEST_DATABASE=postgresql $(PYTEST) -m 'not db_independent' || status=$$?; \
	exit $$status

# The bounded schemathesis suite alone (fixed seed, time-bounded; `make test` runs it on both backends
# because pytest collects everything under tests/).
fuzz: install
	ICGPU_TEST_DATABASE=sqlite $(PYTEST) tests/fuzz

# --- misc -------------------------------------------------------------------
schema: install
	$(BIN)/icgpu schema export

bench: install
	$(BIN)/python bench/list_instances.py

clean:
	-scripts/pg-down.sh
	rm -rf $(VENV) .icgpu .pytest_cache .test-pg
