# quizapp: `make run` serves the app, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
BIN := $(VENV)/bin

.PHONY: run serve test lint fmt db-upgrade validate bench clean

# Installs are redone when pyproject.toml changes; each stamp records a finished install.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-app

# PostgreSQL's driver (psycopg), installed when the database URL, from the environment or
# instance/config.py, names PostgreSQL; SQLite needs nothing more.
DATABASE_URLS := $(QUIZAPP_DATABASE_URL) $(shell grep -s '^DATABASE_URL' instance/config.py)
DRIVER := $(if $(findstring postgres,$(DATABASE_URLS)),$(VENV)/.installed-postgres)

$(VENV)/.installed-postgres: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@ $(VENV)/.installed-app

run: $(VENV)/.installed-app $(DRIVER)
	$(BIN)/quizapp db upgrade
	-$(BIN)/quizapp banks validate
	$(BIN)/quizapp run --host 127.0.0.1 --port $(PORT)

# Production: gunicorn with gunicorn.conf.py (workers from the CPU count), same app and database.
serve: $(VENV)/.installed-app $(DRIVER)
	$(BIN)/quizapp db upgrade
	-$(BIN)/quizapp banks validate
	$(BIN)/gunicorn -c gunicorn.conf.py

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check quizapp tests bench

fmt: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format quizapp tests bench

db-upgrade: $(VENV)/.installed-app $(DRIVER)
	$(BIN)/quizapp db upgrade

validate: $(VENV)/.installed-app
	$(BIN)/quizapp banks validate

# Benchmarks, loopback only; each with a target exits 1 when it misses it. ceilings.py and load.py
# need wrk (they install Debian's package when run as root).
bench: $(VENV)/.installed-app
	$(BIN)/python bench/bank_load.py
	$(BIN)/python bench/export_grades.py
	$(BIN)/python bench/next_card.py
	$(BIN)/python bench/burst.py
	$(BIN)/python bench/ceilings.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/login_guessing.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
