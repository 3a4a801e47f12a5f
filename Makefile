# Developer and CI entry points. Every target is safe to run again.
#
#   make install        venv in .venv with the `dev` dependency group (redone only when pyproject.toml changes)
#   make run            migrate, load demo data, runserver on 127.0.0.1:$(PORT)
#   make test           pytest on SQLite, in parallel; extra arguments in PYTEST_ARGS
#   make test-postgres  pytest against a throw-away PostgreSQL 15 cluster (scripts/test-postgres.sh)
#   make fuzz           schemathesis over every API operation as three roles, larger budget (FUZZ_EXAMPLES)
#   make lint / check   ruff; migrations, OpenAPI schema and deploy checks
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

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run test test-postgres fuzz lint check bench clean

help:
	@echo "Targets:"
	@echo "  install        create .venv and install the dev dependency group (only when pyproject.toml changed)"
	@echo "  run            migrate, seed_demo, runserver on 127.0.0.1:\$$PORT (default 8000)"
	@echo "  test           pytest -n auto on SQLite (extra args: PYTEST_ARGS='-k auth')"
	@echo "  test-postgres  pytest against a throw-away PostgreSQL 15 cluster (extra args: PYTEST_ARGS)"
	@echo "  fuzz           schemathesis, every operation x 3 roles, FUZZ_EXAMPLES (default 50) + coverage phase"
	@echo "  lint           ruff check and ruff format --check"
	@echo "  check          migrations up to date, OpenAPI schema valid, production check --deploy"
	@echo "  bench          run scripts/bench.sh"
	@echo "  clean          remove .venv and var/ (local database and demo password included)"

install: $(STAMP)

# The stamp lives inside .venv, so removing .venv also forces a reinstall.
$(STAMP): pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --group pyproject.toml:dev
	@touch $@

run: install
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
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

# Both checks run, so one pass reports everything; the target fails if either does.
lint: install
	rc=0; $(BIN)/ruff check . || rc=1; $(BIN)/ruff format --check . || rc=1; exit $$rc

# var/ must exist: makemigrations opens the SQLite database to check the migration history.
check: install
	mkdir -p var
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_SETTINGS_MODULE=backend.settings.production \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(45))')" \
	ALLOWED_HOSTS=example.org \
	$(MANAGE) check --deploy --fail-level WARNING

bench: install
	@[ -f scripts/bench.sh ] || { echo "scripts/bench.sh does not exist yet." >&2; exit 1; }
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) var
