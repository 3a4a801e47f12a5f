# Developer and CI entry points. Every target is safe to run again.
#
#   make install        venv in .venv from requirements/dev.lock.txt, hashes checked (redone only when the lock changes)
#   make lock           re-resolve requirements/*.lock.txt from pyproject.toml (UPGRADE=all | UPGRADE="pkg ...")
#   make lock-check     fail if the lock files are not what `make lock` would write
#   make run            migrate, load demo data, runserver on 127.0.0.1:$(PORT)
#   make test           pytest on SQLite, in parallel; extra arguments in PYTEST_ARGS
#   make test-postgres  pytest against a throw-away PostgreSQL 15 cluster (scripts/test-postgres.sh)
#   make fuzz           schemathesis over every API operation as three roles, larger budget (FUZZ_EXAMPLES)
#   make lint / check   ruff and mypy; migrations, OpenAPI schema and deploy checks
#   make load           gunicorn + production settings under 50 clients for 60 s (scripts/load.sh)
#   make probe          CPU per request (app, PostgreSQL, Redis) of each list and its floor (scripts/cpu_probe.sh)
#
# DATABASE_URL, DEMO_PASSWORD and the other settings variables (see .env.example) pass
# through from the environment; `make test` always uses SQLite.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
PORT ?= 8000
PYTEST_ARGS ?=

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

# The whole dependency tree, with hashes, compiled from the groups in pyproject.toml by uv
# (itself pinned in the `dev` group). The dev lock is constrained by the runtime lock, so the
# tests run on exactly the versions the image ships.
RUNTIME_LOCK := requirements/runtime.lock.txt
DEV_LOCK := requirements/dev.lock.txt
LOCK_CHECK_DIR := var/lock-check
UPGRADE ?=
LOCK_UPGRADE := $(if $(filter all,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p)))
UV_COMPILE := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --python-platform linux \
	--custom-compile-command "make lock"

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install lock lock-check run test test-postgres fuzz lint check bench load probe clean

help:
	@echo "Targets:"
	@echo "  install        create .venv and install requirements/dev.lock.txt (only when the lock changed)"
	@echo "  lock           re-resolve requirements/*.lock.txt from pyproject.toml; existing pins are kept"
	@echo "                 unless asked: UPGRADE=all, or UPGRADE='sqlparse asgiref'"
	@echo "  lock-check     fail if requirements/*.lock.txt are out of step with pyproject.toml"
	@echo "  run            migrate, seed_demo, runserver on 127.0.0.1:\$$PORT (default 8000)"
	@echo "  test           pytest -n auto on SQLite (extra args: PYTEST_ARGS='-k auth')"
	@echo "  test-postgres  pytest against a throw-away PostgreSQL 15 cluster (extra args: PYTEST_ARGS)"
	@echo "  fuzz           schemathesis, every operation x 3 roles, FUZZ_EXAMPLES (default 50) + coverage phase"
	@echo "  lint           ruff check, ruff format --check and mypy (strict on services and selectors)"
	@echo "  check          migrations up to date, OpenAPI schema valid, production check --deploy"
	@echo "  bench          latency, query counts and floors at SCALE=1 (or SCALE=N) on PostgreSQL"
	@echo "  load           gunicorn with production settings, LOAD_CLIENTS (50) clients for LOAD_SECONDS (60) s"
	@echo "                 exits 1 on an error or a missed load target (LOAD_ENFORCE=0: report only)"
	@echo "  probe          CPU per request of each list and its floor, a quick A/B (PROBE_ARGS, PROBE_SCALE)"
	@echo "  clean          remove .venv and var/ (local database and demo password included)"

install: $(STAMP)

# The stamp lives inside .venv, so removing .venv also forces a reinstall. Every file is
# checked against its locked hash, and --no-deps keeps anything unlocked out. A package
# dropped from the lock stays in an old .venv: `make clean install` gives an exact one.
$(STAMP): $(DEV_LOCK)
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --require-hashes --no-deps -r $(DEV_LOCK)
	$(BIN)/python -m pip check
	@touch $@

# uv prefers the versions already in an output file, so only what pyproject.toml changed
# moves, unless UPGRADE names packages (or `all`). The runtime lock is resolved first and
# constrains the dev lock.
lock: install
	$(UV_COMPILE) $(LOCK_UPGRADE) --group pyproject.toml:runtime -o $(RUNTIME_LOCK)
	$(UV_COMPILE) $(LOCK_UPGRADE) --group pyproject.toml:dev -c $(RUNTIME_LOCK) -o $(DEV_LOCK)

# Compile copies of the locks the same way (same preferences, same constraint path, so the
# same annotations) and compare: any difference means pyproject.toml changed without `make lock`.
lock-check: install
	rm -rf $(LOCK_CHECK_DIR) && mkdir -p $(LOCK_CHECK_DIR)
	cp $(RUNTIME_LOCK) $(DEV_LOCK) $(LOCK_CHECK_DIR)/
	$(UV_COMPILE) --group pyproject.toml:runtime -o $(LOCK_CHECK_DIR)/runtime.lock.txt
	$(UV_COMPILE) --group pyproject.toml:dev -c $(RUNTIME_LOCK) -o $(LOCK_CHECK_DIR)/dev.lock.txt
	@diff -u $(RUNTIME_LOCK) $(LOCK_CHECK_DIR)/runtime.lock.txt \
		&& diff -u $(DEV_LOCK) $(LOCK_CHECK_DIR)/dev.lock.txt \
		|| { echo "requirements/*.lock.txt are out of step with pyproject.toml: run 'make lock' and commit them." >&2; exit 1; }
	@rm -rf $(LOCK_CHECK_DIR)
	@echo "Lock files match pyproject.toml."

run: install
	mkdir -p var
	$(MANAGE) seed_demo --migrate --url http://127.0.0.1:$(PORT)/
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# SQLite whatever DATABASE_URL says: PostgreSQL has its own target.
test: install
	env -u DATABASE_URL -u DATABASE_URL_FILE $(BIN)/pytest -n auto $(PYTEST_ARGS)

test-postgres: install
	bash scripts/test-postgres.sh $(PYTEST_ARGS)

# `make test` runs the same module on a small budget (3 examples, no coverage phase).
# One process, so the tally of cases and 5xx printed at the end covers the whole run.
FUZZ_EXAMPLES ?= 50
fuzz: install
	env -u DATABASE_URL -u DATABASE_URL_FILE FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_COVERAGE=1 \
		$(BIN)/pytest -n 0 -q -s -p no:logging tests/test_fuzz.py -k test_fuzz_api $(PYTEST_ARGS)

# Every check runs, so one pass reports everything; the target fails if any does. mypy
# (pyproject.toml [tool.mypy], with django-stubs and DRF stubs) loads the test settings.
lint: install
	rc=0; $(BIN)/ruff check . || rc=1; $(BIN)/ruff format --check . || rc=1; \
	env -u DATABASE_URL -u DATABASE_URL_FILE $(BIN)/mypy || rc=1; exit $$rc

# var/ must exist: makemigrations opens the SQLite database to check the migration history.
check: install
	mkdir -p var
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_SETTINGS_MODULE=backend.settings.production \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(45))')" \
	ALLOWED_HOSTS=example.org REDIS_URL=redis://127.0.0.1:6379/0 \
	$(MANAGE) check --deploy --fail-level WARNING

# make bench SCALE=100 BENCH_ARGS="--requests 100"; BENCH_ENFORCE=0 reports missed targets without failing.
SCALE ?= 1
bench: install
	@[ -f scripts/bench.sh ] || { echo "scripts/bench.sh does not exist yet." >&2; exit 1; }
	SCALE=$(SCALE) bash scripts/bench.sh $(BENCH_ARGS)

# A throw-away PostgreSQL and redis-server; LOAD_* (LOAD_SCALE, LOAD_ENFORCE=0 to report missed
# targets without failing, ...) and GUNICORN_* pass through (scripts/load.sh).
load: install
	bash scripts/load.sh

# CPU per request of each list and its floor (app, PostgreSQL, Redis): a one-minute A/B of a change.
probe: install
	bash scripts/cpu_probe.sh $(PROBE_ARGS)

clean:
	rm -rf $(VENV) var
