# CaseStudio — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
CLI := $(PY) -m runtime.cli
STAMP := $(VENV)/.installed
export CASESTUDIO_HOST ?= 127.0.0.1
export CASESTUDIO_PORT ?= 8080

.PHONY: run test install lint typecheck bench clean browser

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json $(wildcard studio/assets/*)
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

run: install
	$(CLI) --demo db upgrade
	$(CLI) --demo seed
	@echo "CaseStudio demo: http://$(CASESTUDIO_HOST):$(CASESTUDIO_PORT)  (users analyst, worker, manager, admin; password demo)"
	$(CLI) --demo serve

# The browser tests drive Debian's Chromium through Playwright (no `playwright install`).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

test: install lint browser
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy

bench: install
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache
