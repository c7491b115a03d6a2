# Everything goes through a locked environment in .venv, built by uv; uv itself is
# bootstrapped from PyPI into .tools/ so a fresh machine needs only Python 3.11+ and make.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export DAGSTER_HOME := $(CURDIR)/.dagster_home
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export DO_NOT_TRACK := 1
# Compile every installed module to bytecode once, at install: where the environment
# sets PYTHONDONTWRITEBYTECODE (this machine does), each process (every dbt step, every
# Dagster run) would otherwise compile its imports from source, ~5 s of start-up each.
export UV_COMPILE_BYTECODE := 1

.PHONY: install run test dev lint format manifest notebooks docs bench clean

EVENTS ?= 1000000

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(BIN)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet
	@touch $@

install: $(BIN)/.synced $(DAGSTER_HOME)/dagster.yaml

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $@

# dagster-dbt loads the dbt manifest; parse it before anything imports the definitions.
manifest: install
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .

run: manifest
	$(BIN)/python -m orchestration.cli run

test: manifest
	$(BIN)/pytest

dev: manifest
	$(BIN)/dagster dev --host 127.0.0.1

# Execute the notebooks against the current warehouse; HTML into build/notebooks/.
notebooks: install
	$(BIN)/python -m orchestration.notebooks

# dbt docs (dbt_project/target/index.html) and the GX Data Docs
# (build/gx/gx/uncommitted/data_docs/local_site/index.html).
docs: manifest
	cd dbt_project && ../$(BIN)/dbt docs generate --quiet --profiles-dir .
	$(BIN)/python -m orchestration.quality --docs

# Generate EVENTS synthetic events, build them as `make run` does, measure; report in
# build/bench/report.md (+ .json). Not a test: a measurement.
bench: manifest
	$(BIN)/python -m orchestration.bench --events $(EVENTS)

lint: install
	$(BIN)/ruff check orchestration tests raw_samples
	$(BIN)/ruff format --check orchestration tests raw_samples
	cd dbt_project && ../$(BIN)/sqlfluff lint models macros tests

format: install
	$(BIN)/ruff check --fix orchestration tests raw_samples
	$(BIN)/ruff format orchestration tests raw_samples

clean:
	rm -rf $(VENV) $(TOOLS) dbt_project/target dbt_project/logs warehouse .dagster_home
