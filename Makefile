# Set-up and everyday commands. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser screenshots run sandbox socket clock test lint bench clean

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

# The story test in headless Chromium, its screenshots written to docs/img.
screenshots: $(STAMP) browser
	BENCHMATE_SCREENSHOTS=docs/img $(BIN)/pytest -q -m browser tests/test_sandbox_browser.py -k story

# HTTP mode on the production WSGI server (needs a public URL for Slack). With no
# SLACK_BOT_TOKEN configured (environment or .env), the sandbox instead: the real
# Benchmate against a local stand-in for Slack, with a demo lab (docs/sandbox.md).
HAS_TOKEN := $(BIN)/python -c "import sys; from bot.config import bot_token_configured as c; sys.exit(0 if c() else 1)"
run: $(STAMP)
	@if $(HAS_TOKEN); then \
		$(BIN)/benchmate serve; \
	else \
		echo "No SLACK_BOT_TOKEN configured: starting the sandbox (no Slack needed)."; \
		$(BIN)/benchmate sandbox; \
	fi

# The sandbox on 127.0.0.1 (SANDBOX_PORT, default 3300).
SANDBOX_PORT ?= 3300
sandbox: $(STAMP)
	$(BIN)/benchmate sandbox --port $(SANDBOX_PORT)

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
	rm -rf $(VENV) .pytest_cache .sandbox
