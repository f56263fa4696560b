# quizapp: `make run` serves the app, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
BIN := $(VENV)/bin

.PHONY: run test lint fmt db-upgrade validate bench clean

# The venv is rebuilt when pyproject.toml changes; the stamp records that it is complete.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/quizapp db upgrade
	-$(BIN)/quizapp banks validate
	$(BIN)/quizapp run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check quizapp tests bench

fmt: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format quizapp tests bench

db-upgrade: $(VENV)/.installed
	$(BIN)/quizapp db upgrade

validate: $(VENV)/.installed
	$(BIN)/quizapp banks validate

bench: $(VENV)/.installed
	$(BIN)/python bench/bank_load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
