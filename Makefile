# Entrepôt task runner. `make demo` runs the main job, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed
#: Test processes (pytest-xdist, ADR 0041): two, one a core, each module in one of them
#: (--dist loadfile); 0 runs every test in this process.
PYTEST_WORKERS ?= 2

.PHONY: help setup browser-tools run demo test unit lint typecheck pytest services system lock bench translations clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(UV) pip sync -q --compile-bytecode --python $(BIN)/python requirements.lock
	$(UV) pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m pip install -q torch==2.13.0 || echo "torch 2.13.0 CPU wheel not available: PyTorch tests will fail"
	touch $(STAMP)

setup: $(STAMP) ## Create .venv with the locked dependencies

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch node_modules/.installed

browser-tools: node_modules/.installed ## Install what the browser tests run in Chromium (axe-core, from package-lock.json)

run: setup ## The main job: the fraud detection service on embedded defaults (prints its URL)
	$(BIN)/entrepot serve

demo: setup ## A walk through the store and catalog: write, list, verify, read back
	$(BIN)/entrepot demo

services: ## Start the PostgreSQL and Redis servers the tests use, if they are down
	bash scripts/start-services.sh

system: ## Install the Debian packages the browser tests need (chromium, chromium-driver)
	bash scripts/install-system.sh

lint: setup ## ruff format check and lint
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: setup ## mypy: src/ strictly, the tests without --strict (tests/mypy.ini)
	$(BIN)/mypy
	$(BIN)/mypy --config-file tests/mypy.ini tests

#: The suite runs under a random PYTHONHASHSEED and in a random order (pytest-randomly shuffles
#: the modules and the tests in each); both seeds are printed first. Replay a run with
#: `make pytest PYTHONHASHSEED=H PYTEST_ARGS=--randomly-seed=R`. The 30 slowest tests are
#: listed at the end, to keep the suite's time in view.
pytest: setup services system browser-tools ## The test suite only (random hash seed and order)
	@seed="$${PYTHONHASHSEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"; \
	echo "PYTHONHASHSEED=$$seed"; \
	PYTHONHASHSEED="$$seed" $(BIN)/pytest -q --durations=30 -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test: lint typecheck pytest ## Everything CI runs: lint, types, the whole test suite

#: The fast tests alone: tests/unit without PostgreSQL, the S3 server, Chromium or a
#: training of more than a few seconds (the markers of pyproject.toml; ADR 0060).
UNIT_MARKERS := not postgres and not s3 and not browser and not slow

unit: setup ## The fast unit tests alone (no PostgreSQL, S3 server, browser or long training)
	$(BIN)/pytest -q --durations=10 -n $(PYTEST_WORKERS) --dist loadfile -m "$(UNIT_MARKERS)" tests/unit $(PYTEST_ARGS)

lock: ## Re-resolve requirements.lock from pyproject.toml
	$(UV) pip compile -q --python-version 3.11 --extra postgres --extra ml --extra city --extra web --extra oidc --extra mongodb --extra mlflow --extra remote --extra dask --extra dev pyproject.toml -o requirements.lock

#: gettext keywords: t(key), tn(key, count) (plural), say(request, key), N_(key) (marks a key).
BABEL_KEYWORDS := --no-default-keywords -k t -k tn:1,1 -k say:2 -k N_ -k Np_:1,1
LOCALE := src/entrepot/locale

translations: setup ## Extract the message keys and update the .po catalogs (docs/translating.md)
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) --omit-header --no-location -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel -q update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching --width 100
	rm $(LOCALE)/messages.pot

bench: setup services ## Run the benchmarks (writes bench/results/)
	$(BIN)/python -m bench.storage

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
