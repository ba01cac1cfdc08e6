# icgpu developer tasks. `make help` lists them.

SHELL := /bin/bash

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SDK_STAMP := $(VENV)/.installed-sdk
# The Python SDK's generator has its own venv: ariadne-codegen needs graphql-core<3.3, the server 3.3.
CODEGEN       := $(VENV)/codegen
CODEGEN_STAMP := $(CODEGEN)/.installed
PYTEST := $(BIN)/pytest -q --durations=12 $(PYTEST_ARGS)

# `make run HOST=0.0.0.0 PORT=9000` overrides these (environment vars do not).
HOST := 127.0.0.1
PORT := 8000

.PHONY: help install test-deps run lint test test-sqlite test-pg test-sdk-ts test-provider tofu fuzz schema generate check-generated bench bench-pg clean
.PHONY: k8s-build k8s-up k8s-down test-k8s

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
	@echo "make generate     export the schema and regenerate every client (sdk-python, sdk-typescript, terraform-provider)"
	@echo "make check-generated  fail (\"run make generate\") when a generated file is out of date"
	@echo "make test-sdk-ts  the TypeScript SDK's suite alone (npm ci from the lockfile when needed)"
	@echo "make test-provider  the Terraform provider's unit, acceptance and CLI tests (OpenTofu from the tool cache)"
	@echo "make tofu         build OpenTofu from its Go module into the tool cache (once per version)"
	@echo "make k8s-build    build etcd, kube-apiserver, kube-scheduler, kube-controller-manager and kwok into the tool cache (once per version)"
	@echo "make k8s-up       start a private Kubernetes control plane with fake GPU nodes in .test-k8s; prints its admin kubeconfig"
	@echo "make k8s-down     stop it (by its recorded pids) and remove .test-k8s"
	@echo "make test-k8s     the Kubernetes suite alone (tests/k8s: its own control plane from scripts/k8s-up.sh)"
	@echo "make bench        run bench/list_instances.py and bench/sdk_overhead.py (and the TS SDK's overhead)"
	@echo "make bench-pg     run bench/list_instances.py on a private PostgreSQL (scripts/pg-up.sh; stopped on exit)"
	@echo "make clean        remove $(VENV), .icgpu, .pytest_cache, .test-pg"
	@echo "PYTEST_ARGS='-k foo -x' is passed to pytest."

# --- install ----------------------------------------------------------------
# pip runs only when pyproject.toml is newer than the stamp.
install: $(STAMP) $(SDK_STAMP)

$(BIN)/python:
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	touch $@

# The Python SDK (sdk-python, import ic_gpu), editable, for its tests and the notebook.
$(SDK_STAMP): sdk-python/pyproject.toml $(STAMP)
	$(BIN)/pip install -e ./sdk-python
	touch $@

$(CODEGEN_STAMP): sdk-python/codegen/requirements.txt | $(BIN)/python
	python3 -m venv $(CODEGEN)
	$(CODEGEN)/bin/pip install -r sdk-python/codegen/requirements.txt
	touch $@

# System tools the tests call (ssh-keygen); apt-get runs only when one is missing.
test-deps:
	scripts/test-deps.sh

# --- run --------------------------------------------------------------------
# ICGPU_* environment variables pass through to the server.
# A single operator's development server: GPU function runs execute on this host
# (ICGPU_LOCAL_FUNCTION_EXEC, off by default in the server; docs/functions.md says why).
run: install
	ICGPU_LOCAL_FUNCTION_EXEC=$${ICGPU_LOCAL_FUNCTION_EXEC:-true} $(BIN)/icgpu serve --host $(HOST) --port $(PORT)

# --- checks -----------------------------------------------------------------
lint: install
	$(BIN)/ruff check server tests bench sdk-python
	$(BIN)/mypy
	cd sdk-python && ../$(BIN)/mypy

# Both backends. PostgreSQL is a private cluster from scripts/pg-up.sh; the
# EXIT trap stops it whatever happens. Two lanes go side by side (one per core: much of their time
# is spent waiting for servers and states): the SQLite run (with tests/k8s, which runs once), and in
# the background the PostgreSQL run followed by the TypeScript SDK and provider suites, which do not
# depend on the database and run once. The background lane writes logs printed when it ends; on an interrupt it starts no further suite. The two
# lanes take about the same time, so neither waits long for the other. Every run always executes; the
# target fails if any fails (including pytest's exit 5, "no tests collected").
test: test-deps install lint check-generated
	@status=0; bg_pid=; logs=$$(mktemp -d); \
	trap '[ -z "$$bg_pid" ] || { touch "$$logs/stop"; pkill -INT -P $$bg_pid; wait $$bg_pid; }; scripts/pg-down.sh || status=1; rm -rf "$$logs"; exit $$status' EXIT; \
	trap 'status=130; exit' INT TERM; \
	url=$$(scripts/pg-up.sh) || { echo "make test: pg-up.sh failed" >&2; status=1; exit; }; \
	echo "== Kubernetes control plane binaries (built once per version, cached; tests/k8s runs once, in the SQLite run)"; \
	scripts/build-k8s.sh >/dev/null || { echo "make test: build-k8s.sh failed" >&2; status=1; exit; }; \
	echo "== in the background: pytest on PostgreSQL ($$url), then the TypeScript SDK and provider suites"; \
	( ICGPU_TEST_DATABASE_URL="$$url" ICGPU_TEST_DATABASE=postgresql $(PYTEST) -m 'not db_independent' \
	    > "$$logs/postgresql.log" 2>&1; echo $$? > "$$logs/postgresql.rc"; \
	  [ -e "$$logs/stop" ] || { scripts/test-sdk-ts.sh > "$$logs/sdk-ts.log" 2>&1; echo $$? > "$$logs/sdk-ts.rc"; }; \
	  [ -e "$$logs/stop" ] || { scripts/test-provider.sh > "$$logs/provider.log" 2>&1; echo $$? > "$$logs/provider.rc"; } ) & bg_pid=$$!; \
	echo "== pytest on SQLite"; \
	ICGPU_TEST_DATABASE=sqlite $(PYTEST) || { rc=$$?; echo "== SQLite run failed (exit $$rc)"; status=1; }; \
	wait $$bg_pid; bg_pid=; \
	for lane in "postgresql:pytest on PostgreSQL ($$url)" "sdk-ts:TypeScript SDK (once: it does not depend on the database)" \
	            "provider:Terraform provider (once: it does not depend on the database)"; do \
	  name=$${lane%%:*}; echo "== $${lane#*:}"; cat "$$logs/$$name.log" 2>/dev/null; \
	  rc=$$(cat "$$logs/$$name.rc" 2>/dev/null || echo 1); \
	  [ "$$rc" = 0 ] || { echo "== $${lane#*:} failed (exit $$rc)"; status=1; }; \
	done; \
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

# One command regenerates everything: the schema, then every SDK's generated code.
generate: install $(CODEGEN_STAMP)
	$(BIN)/icgpu schema export
	sdk-python/codegen/generate.sh
	if [ -f sdk-typescript/package.json ]; then \
	  scripts/test-sdk-ts.sh install; \
	  npm --prefix sdk-typescript run generate; \
	fi
	terraform-provider/generate.sh

check-generated: install $(CODEGEN_STAMP)
	scripts/check-generated.sh

test-sdk-ts: install
	scripts/test-sdk-ts.sh

test-provider: install
	scripts/test-provider.sh

tofu:
	scripts/build-tofu.sh

# A Kubernetes control plane built from its Go modules (tools/kubernetes), with kwok's fake GPU nodes.
k8s-build:
	scripts/build-k8s.sh

k8s-up: install
	@scripts/k8s-up.sh

k8s-down:
	scripts/k8s-down.sh

# The suite starts (and stops) its own control plane, in a private state directory.
test-k8s: install
	scripts/build-k8s.sh >/dev/null
	ICGPU_TEST_DATABASE=sqlite $(PYTEST) tests/k8s

bench: install $(CODEGEN_STAMP)
	$(BIN)/python bench/list_instances.py
	$(BIN)/python bench/sdk_overhead.py
	scripts/test-sdk-ts.sh install && npm --prefix sdk-typescript run --silent bench
	$(BIN)/python bench/gateway.py

bench-pg: install
	@status=0; \
	trap 'scripts/pg-down.sh || status=1; exit $$status' EXIT; \
	trap 'status=130; exit' INT TERM; \
	url=$$(scripts/pg-up.sh) || { echo "make bench-pg: pg-up.sh failed" >&2; status=1; exit; }; \
	$(BIN)/python bench/list_instances.py --database postgresql --database-url "$$url" || status=$$?; \
	exit $$status

clean:
	-scripts/pg-down.sh
	-scripts/k8s-down.sh
	rm -rf $(VENV) .icgpu .pytest_cache .test-pg
