# toetreding — the two commands a newcomer needs:
#   make demo   install the package and build a demo workspace with a rendered statement
#   make test   install everything the tests need (pip + Debian packages) and run all checks
PYTHON ?= python3
PIP := $(PYTHON) -m pip
APT_PACKAGES := poppler-utils softhsm2 opensc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test install install-dev system-deps check pytest bench

demo: install
	$(PYTHON) -m toetreding demo

install:
	$(PIP) install --quiet --disable-pip-version-check -e .

install-dev:
	$(PIP) install --quiet --disable-pip-version-check -e '.[dev]'

# Debian packages: poppler (independent PDF reader for the tests), SoftHSM2 + OpenSC (PKCS#11
# token), and Java 17 + Maven for the conformance harness (EU DSS, veraPDF) when not present.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jdk-headless"; \
	command -v mvn >/dev/null 2>&1 || missing="$$missing maven"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=300 update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq $$missing >/dev/null; \
	fi

check:
	ruff format --check src tests bench
	ruff check src tests bench
	mypy

pytest:
	$(PYTHON) -m pytest -q

test: system-deps install-dev check pytest

bench: install-dev
	$(PIP) install --quiet --disable-pip-version-check -e '.[bench]'
	$(PYTHON) bench/bench_render.py
	$(PYTHON) bench/bench_sign.py
