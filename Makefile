# grip: two commands on a fresh machine.
#   make demo   environment, SYNTHETIC feeds, the nightly build, reports; says where to look
#   make test   the test suite (CI runs this through .ci/run, after make lint)
#   make lint   formatting, lint and type checks; make fix applies what can be fixed
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The venv is made again when the dependencies change, not when tool settings in pyproject.toml do.
STAMP := $(VENV)/.installed-$(shell sed -n '/^dependencies/,/^\[project.scripts\]/p' pyproject.toml | md5sum | cut -c1-8)
SCALE ?= 1
DATA ?= $(CURDIR)/data

BENCH_SCALES ?= 1 10

.PHONY: demo test lint fix bench ui portal prepare generate nightly clean help

help:
	@echo "make demo   - install, generate SYNTHETIC feeds (SCALE=$(SCALE)), run the nightly build"
	@echo "make test   - run the tests"
	@echo "make lint   - ruff (format and lint), mypy, sqlfluff; make fix applies the fixes"
	@echo "make ui     - Dagster UI on http://127.0.0.1:3000"
	@echo "make portal - the portal on http://127.0.0.1:8510 (PORTAL_ARGS=--extern: the external mode)"

$(STAMP): pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

prepare: $(STAMP)
	$(BIN)/grip prepare

$(DATA)/dagster_home/dagster.yaml: orchestration/dagster.yaml
	mkdir -p $(dir $@)
	cp $< $@

generate: $(STAMP)
	GRIP_DEMO=1 GRIP_DATA_DIR=$(DATA) $(BIN)/grip generate --scale $(SCALE)

nightly: prepare $(DATA)/dagster_home/dagster.yaml
	GRIP_DEMO=1 GRIP_DATA_DIR=$(DATA) DAGSTER_HOME=$(DATA)/dagster_home $(BIN)/grip nightly

demo: prepare generate nightly
	@echo
	@echo "Demo ready (SYNTHETIC data). Start at $(DATA)/reports/index.html: every report and period, from there:"
	@echo "  budgethouder/<month>/<wmo|jeugd>/intern/index.html   budgethoudersrapportage (and tabellen.xlsx; extern/ = suppressed)"
	@echo "  voortgang/<quarter>/<wmo|jeugd>/intern/index.html    voortgangsrapportage"
	@echo "  aanbieders/<quarter>/<wmo|jeugd>/intern/index.html   kwartaaloverzicht aanbieders, one page per provider"
	@echo "  wijken/<quarter>/intern/index.html                   wijkrapportage"
	@echo "  stamkaarten/index.html (one page per question), datakwaliteit/index.html (data quality)"
	@echo "How the nightly went: $(BIN)/grip status"
	@echo "The portal for the people who steer: 'make portal' (http://127.0.0.1:8510)"
	@echo "Open the UI with 'make ui'; query the published warehouse with:"
	@echo "  $(BIN)/python -c \"import duckdb; print(duckdb.connect('$(DATA)/warehouse/grip_published.duckdb', read_only=True).sql('select * from marts.fct_budget limit 5'))\""

test: prepare
	$(BIN)/python -m pytest -q --durations=12

# sqlfluff's dbt templater compiles the project, which opens the profile's DuckDB: an in-memory one
# will do, so linting needs no warehouse and never touches data/.
SQLFLUFF := GRIP_WAREHOUSE=:memory: $(BIN)/sqlfluff

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(SQLFLUFF) lint --processes 2 dbt_project

fix: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(SQLFLUFF) fix --processes 2 dbt_project

bench: prepare
	$(BIN)/python -m benchmarks.nightly --scale $(BENCH_SCALES)

ui: prepare $(DATA)/dagster_home/dagster.yaml
	GRIP_DEMO=1 GRIP_DATA_DIR=$(DATA) DAGSTER_HOME=$(DATA)/dagster_home $(BIN)/dagster dev -h 127.0.0.1 -p 3000 -m orchestration.definitions

# the portal reads only the published warehouse that make demo (or the nightly) wrote
portal: $(STAMP)
	GRIP_DEMO=1 GRIP_DATA_DIR=$(DATA) $(BIN)/grip portal $(PORTAL_ARGS)

clean:
	rm -rf $(DATA) dbt_project/target dbt_project/logs
