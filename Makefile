# grip: two commands on a fresh machine.
#   make demo   environment, SYNTHETIC feeds, the nightly build, reports; says where to look
#   make test   the test suite (CI runs this through .ci/run)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
SCALE ?= 1
DATA ?= $(CURDIR)/data

BENCH_SCALES ?= 1 10

.PHONY: demo test bench ui prepare generate nightly clean help

help:
	@echo "make demo   - install, generate SYNTHETIC feeds (SCALE=$(SCALE)), run the nightly build"
	@echo "make test   - run the tests"
	@echo "make ui     - Dagster UI on http://127.0.0.1:3000"

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
	@echo "Demo ready (SYNTHETIC data). Reports in $(DATA)/reports:"
	@echo "  budgethouder/<month>/<wmo|jeugd>/intern/index.html   budgethoudersrapportage (and tabellen.xlsx; extern/ = suppressed)"
	@echo "  voortgang/<quarter>/<wmo|jeugd>/intern/index.html    voortgangsrapportage"
	@echo "  aanbieders/<quarter>/intern/index.html               kwartaaloverzicht aanbieders, one page per provider"
	@echo "  stamkaarten/index.html (one page per question), datakwaliteit/index.html (data quality)"
	@echo "Open the UI with 'make ui'; query the published warehouse with:"
	@echo "  $(BIN)/python -c \"import duckdb; print(duckdb.connect('$(DATA)/warehouse/grip_published.duckdb', read_only=True).sql('select * from marts.fct_budget limit 5'))\""

test: prepare
	$(BIN)/python -m pytest -q --durations=12

bench: prepare
	$(BIN)/python -m benchmarks.nightly --scale $(BENCH_SCALES)

ui: prepare $(DATA)/dagster_home/dagster.yaml
	GRIP_DEMO=1 GRIP_DATA_DIR=$(DATA) DAGSTER_HOME=$(DATA)/dagster_home $(BIN)/dagster dev -h 127.0.0.1 -p 3000 -m orchestration.definitions

clean:
	rm -rf $(DATA) dbt_project/target dbt_project/logs
