# Ringback: `make dev` runs the whole product locally, `make test` runs every test.
# Both start from a machine that has only python3 and node.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export POWERTOOLS_TRACE_DISABLED := true
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install dev test test-fast synth deploy clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

dev: install
	$(BIN)/python -m devstack

test: install
	$(BIN)/python -m pytest

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund

synth: install node_modules/.package-lock.json
	npx cdk synth --quiet

deploy: install node_modules/.package-lock.json
	npx cdk deploy

clean:
	rm -rf $(VENV) node_modules cdk.out .devstack .pytest_cache
