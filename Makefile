# Recall: `make run` serves the site with the demo content, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint fmt content superuser audit bench lighthouse clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"

$(VENV)/.run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --group run
	@touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --group test
	@touch $@ $(VENV)/.run

# A local development server: debug on, the development key, SQLite unless DATABASE_URL is set.
run: export DJANGO_DEBUG = true
run: $(VENV)/.run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_content
	@echo "Recall is at http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Everything CI runs: lint, the layers, migrations in step with the models, the script rules
# (node --test), the whole suite.
test: export DJANGO_SECRET_KEY ?= test-only-not-a-secret
test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run
	node --test tests/js/*.test.mjs
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

fmt: $(VENV)/.test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

content: export DJANGO_DEBUG = true
content: $(VENV)/.run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_content

superuser: export DJANGO_DEBUG = true
superuser: $(VENV)/.run
	$(BIN)/python manage.py createsuperuser

# Known vulnerabilities in the pinned dependencies (says plainly when advisory data is unreachable).
audit: $(VENV)/.test
	$(BIN)/pip install --quiet --group audit
	$(BIN)/python .ci/audit.py

# The benchmark: seeds .bench/recall.sqlite3 at scale on first run (or uses DATABASE_URL), serves
# it with gunicorn and loads every page with wrk (needs Debian's wrk). See README, Performance.
bench: $(VENV)/.test
	@command -v wrk >/dev/null || { echo "wrk is missing: sudo apt-get install wrk"; exit 1; }
	$(BIN)/python -m tests.bench

# Lighthouse on the home, term, article and quiz pages (needs npm and Debian's chromium; npx
# fetches lighthouse from the npm registry on first use). See README, Development notes.
lighthouse: $(VENV)/.test
	$(BIN)/python -m tests.lighthouse

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
