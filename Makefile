# crm_app — `make run` starts the app on embedded defaults; `make test` runs the whole suite.
# Every target sets up what it needs, idempotently, on a fresh machine.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
BUN_VERSION := 1.4.5
PORT ?= 3000

export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_TELEMETRY_ENABLED := false
export TELEMETRY_ENABLED := false
export LITELLM_LOCAL_MODEL_COST_MAP := True
export PYTHONDONTWRITEBYTECODE := 1
export NEXT_TELEMETRY_DISABLED := 1
export REFLEX_BUN_PATH ?= $(shell command -v bun 2>/dev/null || echo /usr/bin/bun)

.PHONY: run test test-unit test-e2e bench screenshots setup setup-test bun chromium thirdparty migrate clean help

help:
	@echo "make run    - set up and start crm_app at http://localhost:$(PORT) (demo tenant, offline assistant)"
	@echo "make test   - set up and run the whole test suite (unit, integration, end-to-end)"
	@echo "make bench  - run the benchmarks and write bench/RESULTS.md"
	@echo "make screenshots - write a PNG of each page and card state to docs/screenshots/ (real browser, demo tenant)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.requirements: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.requirements-test: requirements-test.txt requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements-test.txt
	touch $@

setup: $(VENV)/.requirements bun

setup-test: $(VENV)/.requirements $(VENV)/.requirements-test bun chromium thirdparty

bun:
	@if ! bun --version >/dev/null 2>&1; then \
		echo "Installing bun $(BUN_VERSION) from the npm registry"; \
		npm install --global --no-fund --no-audit bun@$(BUN_VERSION) >/dev/null; \
	fi
	@bun --version >/dev/null

thirdparty:
	bash scripts/setup_thirdparty.sh

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| { echo "Could not install chromium with apt-get (run as root, or install it yourself)"; exit 1; }; \
	fi

migrate: $(VENV)/.requirements
	$(PY) -m crm_app.manage migrate

run: setup migrate
	$(PY) -m crm_app.stack --port $(PORT)

test: setup-test
	bash scripts/test.sh

test-unit: setup-test
	$(PY) -m pytest -q --ignore=tests/e2e --ignore=tests/instances

test-e2e: setup-test
	$(PY) -m pytest -q tests/e2e -p no:asyncio

bench: setup-test
	$(PY) -m bench.run_all

screenshots: setup-test
	$(PY) scripts/screenshots.py --out docs/screenshots

clean:
	rm -rf .web .states test-results bench/out
