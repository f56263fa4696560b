# quizapp: `make run` serves the app, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
BIN := $(VENV)/bin

.PHONY: run serve test lint fmt db-upgrade validate bench screenshots clean

# Installs are redone when pyproject.toml changes; each stamp records a finished install.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs go through uv, two to three times faster than pip: the uv on PATH, else one that pip puts
# in the venv first (a single wheel). pip takes over where uv fails; INSTALLER=pip uses pip alone.
INSTALLER ?= uv
UV ?= $(or $(shell command -v uv 2>/dev/null),$(BIN)/uv)
UV_VERSION := 0.13.9
# uv leaves the bytecode to be written at first import; where PYTHONDONTWRITEBYTECODE forbids that,
# it compiles it at install as pip does, or every start of the app would compile its libraries anew.
UV_FLAGS := $(if $(PYTHONDONTWRITEBYTECODE),--compile-bytecode)
# $(call install,ARGS): `pip install ARGS` into the venv, showing the installer's own progress.
ifeq ($(INSTALLER),pip)
define install
$(BIN)/pip install $(1)
endef
else
define install
@command -v $(UV) >/dev/null || { echo "Installing uv $(UV_VERSION) into $(VENV) with pip"; \
	$(BIN)/pip install uv==$(UV_VERSION); } || true
$(UV) pip install --python $(BIN)/python $(UV_FLAGS) $(1) \
	|| { echo "uv failed: installing with pip instead"; $(BIN)/pip install $(1); }
endef
endif

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	@echo "Installing quizapp and its dependencies (first run only, ~15 s)..."
	$(call install,-e .)
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "Installing quizapp, its dependencies and the test tools (first run only, ~20 s)..."
	$(call install,-e '.[test]')
	touch $@ $(VENV)/.installed-app

# PostgreSQL's driver (psycopg), installed when the database URL, from the environment or
# instance/config.py, names PostgreSQL; SQLite needs nothing more.
DATABASE_URLS := $(QUIZAPP_DATABASE_URL) $(shell grep -s '^DATABASE_URL' instance/config.py)
DRIVER := $(if $(findstring postgres,$(DATABASE_URLS)),$(VENV)/.installed-postgres)

$(VENV)/.installed-postgres: pyproject.toml | $(BIN)/python
	@echo "Installing PostgreSQL's driver (psycopg)..."
	$(call install,-e '.[postgres]')
	touch $@ $(VENV)/.installed-app

run: $(VENV)/.installed-app $(DRIVER)
	$(BIN)/quizapp db upgrade
	-$(BIN)/quizapp banks validate
	$(BIN)/quizapp run --host 127.0.0.1 --port $(PORT)

# Production: the same app and database on two gunicorns, started together and stopped together
# (when either stops, or on Ctrl-C): pages on gunicorn.conf.py's sync workers (one a core) on PORT,
# live games' connections on gunicorn.live.conf.py's gevent worker on LIVE_PORT (PORT + 1).
serve: SHELL := /bin/bash
serve: $(VENV)/.installed-app $(DRIVER)
	$(BIN)/quizapp db upgrade
	-$(BIN)/quizapp banks validate
	$(BIN)/gunicorn -c gunicorn.live.conf.py & $(BIN)/gunicorn -c gunicorn.conf.py & \
	trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT; wait -n

# The suite on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in this one process.
PYTEST_WORKERS ?= auto

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check quizapp tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

fmt: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format quizapp tests bench

db-upgrade: $(VENV)/.installed-app $(DRIVER)
	$(BIN)/quizapp db upgrade

validate: $(VENV)/.installed-app
	$(BIN)/quizapp banks validate

# Benchmarks, loopback only; each with a target exits 1 when it misses it. ceilings.py and load.py
# need wrk (they install Debian's package when run as root); live.py needs the test extra (its
# players are python-socketio's asyncio client) and, for its second run, redis-server.
bench: $(VENV)/.installed-test
	$(BIN)/python bench/bank_load.py
	$(BIN)/python bench/export_grades.py
	$(BIN)/python bench/interchange.py
	$(BIN)/python bench/next_card.py
	$(BIN)/python bench/burst.py
	$(BIN)/python bench/ceilings.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/login_guessing.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/live.py --redis

# The README's screenshots (docs/screenshot.png, docs/screenshot-phone.png), with Debian's chromium.
screenshots: $(VENV)/.installed-test
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
