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

.PHONY: help install run test test-fast dev lint format manifest notebooks docs bench publish clean

EVENTS ?= 1000000
DAGSTER_PORT ?= 3000

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 22

$(UV):
	@echo "installing uv $(UV_VERSION) into $(TOOLS)/ and the locked environment into $(VENV)/ (once)"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(BIN)/.synced: $(UV) pyproject.toml uv.lock
	@$(UV) sync --locked --quiet
	@touch $@

install: $(BIN)/.synced $(DAGSTER_HOME)/dagster.yaml ## the locked environment in .venv/ (uv)

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp orchestration/dagster.yaml $@

# dagster-dbt loads the dbt manifest; parse it before anything imports the definitions
# (with the paths a run hands dbt, so the run's own parse stays partial), again only
# when a file of the dbt project changed (a parse costs ~6 s of every `make run`).
MANIFEST := dbt_project/target/manifest.json
DBT_FILES := $(shell find dbt_project \( -name target -o -name logs -o -name dbt_packages \) -prune -o -type f -print)
$(MANIFEST): $(BIN)/.synced $(DBT_FILES)
	@$(BIN)/python -m orchestration.cli parse
	@touch $@

manifest: install $(MANIFEST)

run: manifest ## land $RAW_DATA_DIR, build, check, publish, print a summary
	@$(BIN)/python -m orchestration.cli run

# Tests run in parallel, one pytest-xdist worker per core (a test module stays on one
# worker, so its module fixtures are built once): most tests wait on pipeline processes
# that use one core each. Modules are handed out in collection order, the longest first
# (tests/conftest.py), not xdist's default of the most tests first.
TEST_WORKERS ?= auto
test: manifest ## the whole test suite
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

test-fast: manifest ## the tests that start no pipeline process (the inner loop)
	$(BIN)/pytest -m "not pipeline"

# Quiet: Dagster's own deprecation notices are not the user's to act on, and its
# services' INFO lines (every sensor tick) stay in the UI.
dev: manifest ## dagster dev on http://127.0.0.1:$DAGSTER_PORT (default 3000)
	@echo "Dagster UI: http://127.0.0.1:$(DAGSTER_PORT) (Ctrl-C stops it; make dev DAGSTER_PORT=... moves it)"
	@PYTHONWARNINGS=ignore $(BIN)/dagster dev --host 127.0.0.1 --port $(DAGSTER_PORT) --log-level warning

# Execute the notebooks against the published warehouse with papermill; the executed
# notebooks and their HTML into build/notebooks/. Parameters, when set, go to every
# notebook that declares them: make notebooks PRODUCT_ID=SKU-100 SINCE=2026-03-01
NOTEBOOK_PARAMETERS := PRODUCT_ID SINCE UNTIL SOURCE TOP_N LOOKBACK_DAYS
notebooks: install ## execute the notebooks on the warehouse; HTML in build/notebooks/
	$(BIN)/python -m orchestration.notebooks $(foreach p,$(NOTEBOOK_PARAMETERS),$(if $($(p)),-p $(p) '$($(p))'))

# dbt docs as one self-contained page (--static: opens from the file, no server) and
# the GX Data Docs.
docs: manifest ## dbt docs and GX Data Docs (paths printed)
	cd dbt_project && ../$(BIN)/dbt docs generate --static --quiet --profiles-dir .
	$(BIN)/python -m orchestration.defs.quality.runner --docs
	@echo "dbt docs: $(CURDIR)/dbt_project/target/static_index.html (or: cd dbt_project && ../$(BIN)/dbt docs serve --profiles-dir .)"

# Generate EVENTS synthetic events, build them as `make run` does, measure; report in
# build/bench/report.md (+ .json). Not a test: a measurement.
bench: manifest ## make bench EVENTS=1000000: generate, build, measure (build/bench/)
	$(BIN)/python -m tools.bench --events $(EVENTS)

# sqlfluff's dbt templater compiles against the warehouse: with a built one, the
# incremental branches of the models are linted too. Macros are linted through the
# models that call them (a file of macro definitions alone renders to nothing).
lint: manifest ## ruff and sqlfluff
	$(BIN)/ruff check orchestration tests tools
	$(BIN)/ruff format --check orchestration tests tools
	cd dbt_project && ../$(BIN)/sqlfluff lint models tests

format: install ## ruff format
	$(BIN)/ruff check --fix orchestration tests tools
	$(BIN)/ruff format orchestration tests tools

# After `dbt build` run by hand: publish the build file to $$WAREHOUSE_PATH for readers.
publish: install ## publish the build file to $WAREHOUSE_PATH (after dbt run by hand)
	@$(BIN)/python -m orchestration.cli publish

clean: ## remove build outputs (build/, dbt target/ and logs/); keeps the warehouse and .venv
	rm -rf build dbt_project/target dbt_project/logs
