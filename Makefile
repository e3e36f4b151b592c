# The front door. `make run` sets everything up and serves the app; `make test` sets up
# and runs the whole suite (SQLite, PostgreSQL and headless-browser tests).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
export FLASK_APP := futuredoctor
HOST ?= 127.0.0.1
PORT ?= 5000
# Test processes: the suite splits across them test by test (tests that share a module's
# processes stay together); TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= 2
# Links in emails point at the server being run, unless FUTUREDOCTOR_PUBLIC_URL says otherwise
# (a server listening on every interface is reached on this machine as 127.0.0.1).
LINK_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
FUTUREDOCTOR_PUBLIC_URL ?= http://$(LINK_HOST):$(PORT)
# Only files under version control are linted: a scratch folder of one's own never fails it.
TRACKED_PY = $(shell git ls-files '*.py' 2>/dev/null)

.PHONY: run setup setup-test database chromium redis wrk test lint typecheck bench lock clean

# The scheduler (release notifications, email, digests) runs beside the web server in its
# own process and stops with it. Development mail goes to the console unless
# FUTUREDOCTOR_MAIL_BACKEND says otherwise.
run: setup database
	@echo "Serving on http://$(HOST):$(PORT) with the scheduler beside it (Ctrl+C to stop)"
	@export FUTUREDOCTOR_PUBLIC_URL="$(FUTUREDOCTOR_PUBLIC_URL)"; \
	$(BIN)/flask scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

setup: $(STAMPS)/python $(STAMPS)/assets

setup-test: setup $(STAMPS)/python-test chromium redis

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs exactly the versions in the lock files (`make lock` writes them from the ranges in
# pyproject.toml), so every machine runs what CI ran.
$(STAMPS)/python: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/python-test: requirements-test.lock $(STAMPS)/python
	$(BIN)/pip install --quiet -r requirements-test.lock
	@touch $@

# Re-resolve the lock files after changing dependencies in pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet "uv>=0.5,<1"
	$(BIN)/uv pip compile --quiet pyproject.toml --extra serve --python-version 3.11 \
	  --output-file requirements.lock
	$(BIN)/uv pip compile --quiet pyproject.toml --extra serve --extra test --python-version 3.11 \
	  --constraint requirements.lock --output-file requirements-test.lock

$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/assets: $(STAMPS)/npm futuredoctor/assets.py
	$(BIN)/python -m futuredoctor.assets
	@touch $@

# Migrations, content and demo data: each step is idempotent.
database: setup
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask content sync
	$(BIN)/flask demo

# Browser tests need Chromium; install Debian's when missing and we are allowed to.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium not found: browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

# The several-node tests start a throwaway Redis (the shared sign-in limit store); install
# Debian's when missing and we are allowed to.
redis:
	@if ! command -v redis-server >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Redis for the several-node tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else echo "redis-server not found: several-node tests will be skipped (apt-get install redis-server)"; fi; \
	fi

test: setup-test
	@echo "ruff check: $(words $(TRACKED_PY)) files under version control"
	@$(BIN)/ruff check --force-exclude $(or $(TRACKED_PY),.)
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=40

lint: setup-test
	@echo "ruff check: $(words $(TRACKED_PY)) files under version control"
	@$(BIN)/ruff check --force-exclude $(or $(TRACKED_PY),.)

typecheck: setup-test
	$(BIN)/mypy

# Load tests need wrk; install Debian's when missing and we are allowed to.
wrk:
	@if ! command -v wrk >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi

bench: setup-test wrk
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(STAMPS) node_modules futuredoctor/static/nhsuk instance
