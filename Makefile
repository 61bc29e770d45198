# Set-up and everyday commands. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser run socket clock test lint bench clean

# Reinstall when the dependencies change or a new top-level package appears.
$(STAMP): pyproject.toml $(wildcard */__init__.py)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Headless Chromium for the sandbox page's browser tests: Debian's package, never a
# browser downloaded by `playwright install`. Needs root (CI); without it the browser
# tests skip and say why.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x "$(CHROMIUM)" ]; then echo "Chromium: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-color-emoji; \
	else echo "No Chromium at $(CHROMIUM) and not root: run 'sudo make browser' (the browser tests skip meanwhile)"; fi

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
