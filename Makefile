# Lotse: the front door. `make run` to try it, `make test` to check it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test lint format migrations-check messages worker clean bench

help:
	@echo "make run    - install, migrate, load demo data if empty, serve on http://$(HOST):$(PORT) with a worker"
	@echo "make test   - run the test suite (SQLite, or DATABASE_URL if set)"
	@echo "make lint   - ruff, the layers (import-linter) and the migrations check"
	@echo "make worker - run the background task worker"

$(VENV)/.installed: pyproject.toml
	@python="$$(bin/find-python)" || exit 1; \
	  echo "Using $$python ($$($$python --version))"; \
	  [ -x $(PY) ] || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed for Bootstrap and htmx."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# A development checkout runs in DEBUG mode, so manage.py works without further set-up.
# Production never runs make: it sets DEBUG (off by default) and SECRET_KEY itself.
.env:
	@printf '# Local development settings (not committed; see README for all variables).\nDEBUG=1\n' > $@
	@echo "Wrote .env with DEBUG=1 for development."

install: $(VENV)/.installed node_modules/.installed .env

run: install
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	@echo "Starting the background worker (report PDFs, e-mails) beside the web server."
	DEBUG=1 $(PY) manage.py db_worker --verbosity 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# One test process per core, up to four (each with its own test database and browser).
test: install
	$(VENV)/bin/pytest -n auto --maxprocesses=4

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

messages: install
	for lang in de en da ar fa uk; do \
	  DEBUG=1 $(PY) manage.py makemessages --locale $$lang --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*' --no-obsolete; \
	  [ $$lang = en ] || DEBUG=1 $(PY) manage.py makemessages --domain djangojs --locale $$lang --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*' --no-obsolete; \
	done
	DEBUG=1 $(PY) manage.py compilemessages --ignore '.venv/*' --ignore 'node_modules/*'

worker: install
	DEBUG=1 $(PY) manage.py db_worker

# Pages, KPIs, PDF and import at the large demo scale on PostgreSQL (docs/performance.md).
# Seeds lotse_bench_large (about 6 minutes) and lotse_bench_small first if they are empty.
bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
