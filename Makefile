# toetreding — the two commands a newcomer needs (a stock Debian first needs
# `sudo apt-get install make python3-venv`):
#   make demo   make ./.venv, install toetreding in it, and build a demo workspace
#   make test   install everything the tests need (pip + Debian packages) and run all checks
#
# Everything Python runs inside the project's own virtual environment (.venv), made from the
# system's python3: Debian's Python refuses `pip install` outside one (PEP 668), and tools are
# called through it (`.venv/bin/python -m ruff`), never from whatever is first on PATH.
SYSTEM_PYTHON ?= python3
VENV ?= .venv
PYTHON := $(VENV)/bin/python
PIP := $(PYTHON) -m pip --disable-pip-version-check
APT_PACKAGES := poppler-utils softhsm2 opensc openssl chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300

.PHONY: demo test install install-dev system-deps browser-deps check pytest bench clean-venv messages

demo: install
	$(PYTHON) -m toetreding demo
	@echo "To use the toetreding command yourself:  . $(VENV)/bin/activate   (then: toetreding --help)"

$(PYTHON):
	@$(SYSTEM_PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "toetreding needs Python 3.11 or newer as '$(SYSTEM_PYTHON)' (make SYSTEM_PYTHON=python3.12 …)"; exit 1; }
	@$(SYSTEM_PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "could not make a virtual environment: on Debian/Ubuntu run  sudo apt-get install python3-venv"; exit 1; }

install: $(PYTHON)
	$(PIP) install --quiet -e .

install-dev: $(PYTHON)
	$(PIP) install --quiet -e '.[dev]'

# Debian packages: poppler (independent PDF reader for the tests), SoftHSM2 + OpenSC (PKCS#11
# token) and openssl (README's smartcard example), Chromium (the round's status page is
# opened in a real browser), and Java 17 + Maven for the conformance harness (EU DSS,
# veraPDF) and npm (axe-core) when not present.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jdk-headless"; \
	command -v mvn >/dev/null 2>&1 || missing="$$missing maven"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(APT_GET) update -qq && $(APT_GET) install -y -qq $$missing >/dev/null; \
	fi

# axe-core (the accessibility checker run on the status page), pinned in
# tests/browser/package-lock.json and installed beside the tests, never shipped
browser-deps:
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error

check: install-dev
	$(PYTHON) -m ruff format --check src tests bench
	$(PYTHON) -m ruff check src tests bench
	$(PYTHON) -m mypy

# .venv/bin first on PATH, as after `. .venv/bin/activate` (the tests' reference tools)
pytest: install-dev
	PATH="$(abspath $(VENV))/bin:$$PATH" $(PYTHON) -m pytest -q

test: system-deps browser-deps install-dev check pytest

bench: install-dev
	$(PIP) install --quiet -e '.[bench]'
	PATH="$(abspath $(VENV))/bin:$$PATH" $(PYTHON) bench/bench_cli.py --write-readme
	$(PYTHON) bench/bench_render.py
	$(PYTHON) bench/bench_sign.py
	$(PYTHON) bench/bench_round.py

# The CLI's Dutch: extract every _("…") from the source, add new messages to the Dutch
# catalogue (translate them in the .po), and compile it; tests/test_language.py checks both.
LOCALE := src/toetreding/locale
messages: install-dev
	$(PYTHON) -m babel.messages.frontend extract --no-location --sort-output \
	  -k _ -k N_ -k ngettext:1,2 -o $(LOCALE)/toetreding.pot src/toetreding
	$(PYTHON) -m babel.messages.frontend update --no-fuzzy-matching \
	  -i $(LOCALE)/toetreding.pot -d $(LOCALE) -D toetreding -l nl
	$(PYTHON) -m babel.messages.frontend compile -d $(LOCALE) -D toetreding

clean-venv:
	rm -rf $(VENV)
