# Ringback: `make dev` runs the whole product locally, `make test` runs every test.
# Both start from a machine that has only python3 and node.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export POWERTOOLS_TRACE_DISABLED := true
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install dev lint test synth deploy clean build browser bench-leases bench-attribution bench-calibration bench-swap bench-callback bench-reports bench-shutdown

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

dev: install build
	$(BIN)/python -m devstack

# ruff (pyproject.toml), then mypy (mypy.ini: strict on the domain package). Before the
# tests, so a lint error fails in seconds; mypy's cache (.mypy_cache) keeps a warm run short.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# Two workers, each module on one of them (its local stack and browser stay its own): the
# suite fits CI's 15 minutes on two cores; every wait is for an event, so a busy machine
# only slows it.
test: install lint build browser
	$(BIN)/python -m pytest -n 2 --dist loadfile

# npm ci installs exactly what package-lock.json pins, and fails if package.json has moved from it.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Then each function's package size and cold import against its budget (infra/budgets.py),
# from the assets the synthesis just built: a function over budget fails the build.
synth: install build node_modules/.package-lock.json
	npx cdk synth --quiet
	$(BIN)/python -m infra.budgets cdk.out

deploy: install build node_modules/.package-lock.json
	npx cdk deploy

clean:
	rm -rf $(VENV) node_modules cdk.out .devstack .pytest_cache functions/widget/static frontend/scripts

# The browser scripts (frontend/src -> frontend/scripts, hashed; CloudFront serves /v1/swap.js) and
# the dashboard (frontend/dashboard -> frontend/app, served at /app/; type-checked).
build: install
	$(BIN)/python frontend/build.py
	$(BIN)/python frontend/dashboard_build.py

# Debian's Chromium for the browser tests and the benchmark (Playwright downloads no browser).
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

bench-swap: install build browser
	$(BIN)/python -m bench.swap

bench-leases: install
	$(BIN)/python -m bench.leases

bench-attribution: install
	$(BIN)/python -m bench.attribution

bench-calibration: install
	$(BIN)/python -m bench.calibration

bench-callback: install build
	$(BIN)/python -m bench.callback

bench-reports: install
	$(BIN)/python -m bench.reports

bench-shutdown: install
	$(BIN)/python -m bench.shutdown
