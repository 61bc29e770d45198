# Set-up and everyday commands. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run socket clock test lint bench clean

# Reinstall when the dependencies change or a new top-level package appears.
$(STAMP): pyproject.toml $(wildcard */__init__.py)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# HTTP mode on the production WSGI server (needs a public URL for Slack).
run: $(STAMP)
	$(BIN)/benchmate serve

# Socket Mode: no public URL needed.
socket: $(STAMP)
	$(BIN)/benchmate socket

clock: $(STAMP)
	$(BIN)/benchmate clock

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/win_latency.py

clean:
	rm -rf $(VENV) .pytest_cache
