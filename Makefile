# The two commands a newcomer needs: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help install services run test test-fast lint demo lock clean

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

services: ## check PostgreSQL and RabbitMQ (start them if they are installed but down)
	@bash scripts/check_services.sh

run: install services ## install, migrate, start every API, worker and the sandbox (Ctrl-C stops all)
	$(PY) scripts/devstack.py

test: install services lint ## lint, then unit, integration (real PostgreSQL + RabbitMQ) and end-to-end tests
	$(PY) -m pytest

test-fast: install services ## unit and integration tests only (no processes started)
	$(PY) -m pytest -m "not e2e"

lint: install ## ruff and mypy (strict)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy shared services scripts tests

demo: install ## drive the claim-credit flow against the running stack (start it with `make run`)
	$(PY) scripts/demo.py

lock: ## re-resolve the dependencies of pyproject.toml into requirements.lock
	rm -rf /tmp/warranty-lock && $(PYTHON) -m venv /tmp/warranty-lock
	/tmp/warranty-lock/bin/pip install --quiet --upgrade pip
	/tmp/warranty-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/warranty-lock/bin/pip freeze --exclude-editable > requirements.lock

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
