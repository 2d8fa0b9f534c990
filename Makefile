# The two commands a newcomer needs: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help install tools asyncapi services run test test-fast lint bench profile chaos demo lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 (or set PYTHON=...)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the locked dependencies

NPM_STAMP := tools/asyncapi/node_modules/.installed
$(NPM_STAMP): tools/asyncapi/package.json tools/asyncapi/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 18+ (Debian: nodejs npm)"; exit 1; }
	npm ci --prefix tools/asyncapi --no-audit --no-fund --loglevel=error
	@touch $(NPM_STAMP)

tools: $(NPM_STAMP) ## install the AsyncAPI parser (npm) and docker-compose (Debian) the tests use
	@bash scripts/ensure_docker_compose.sh

asyncapi: install ## regenerate docs/asyncapi.json from the message contracts
	$(PY) -m shared.messaging.asyncapi > docs/asyncapi.json

services: ## check PostgreSQL and RabbitMQ (start them if they are installed but down)
	@bash scripts/check_services.sh

run: install services ## install, migrate, start every API, worker and the sandbox (Ctrl-C stops all)
	$(PY) scripts/devstack.py

test: install tools services lint ## lint, then unit, integration (real PostgreSQL + RabbitMQ) and end-to-end tests
	$(PY) -m pytest

test-fast: install tools services ## unit and integration tests only (no processes started)
	$(PY) -m pytest -m "not e2e"

lint: install ## ruff, mypy (strict) and the layer contracts (import-linter, pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy shared services scripts warranty_client ops bench chaos harness tests
	$(VENV)/bin/lint-imports

bench: install services ## measure the money path on a private stack; writes bench/results/
	$(PY) -m bench.run

profile: install services ## where a paid claim's CPU goes: py-spy on every process during a closed loop
	$(PY) -m bench.profile

chaos: install services ## 300 flows under seeded faults, on its own PostgreSQL and RabbitMQ; SEED=n to reproduce
	$(PY) -m chaos.run --flows 300 $(if $(SEED),--seed $(SEED))

demo: install ## drive the claim-credit flow against the running stack (start it with `make run`)
	$(PY) -m scripts.demo

lock: ## re-resolve the dependencies of pyproject.toml into requirements.lock
	rm -rf /tmp/warranty-lock && $(PYTHON) -m venv /tmp/warranty-lock
	/tmp/warranty-lock/bin/pip install --quiet --upgrade pip
	/tmp/warranty-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/warranty-lock/bin/pip freeze --exclude-editable > requirements.lock

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .hypothesis tools/asyncapi/node_modules
