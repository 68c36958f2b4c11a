# Image Prompt Studio. `make local` runs the whole product offline; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8080
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := true

.PHONY: help install local cli local-reset test test-fast test-unit test-integration test-infra test-e2e test-browser \
        chromium openapi client lint-api lock synth deploy destroy preflight preflight-local bench bench-web load backfill backfill-facets clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.txt layers/requirements.txt layers/credentials/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode -r requirements.txt
	touch $(STAMP)

install: $(STAMP) ## create .venv with every pinned dependency

local: $(STAMP) ## run the whole product offline at http://localhost:$(PORT)
	$(PY) -m local --port $(PORT)

cli: $(STAMP) ## the command-line client against `make local` (ARGS="generate 'a fox' --out /tmp/img")
	$(PY) -m local.cli --base-url http://localhost:$(PORT) $(ARGS)

local-reset: ## forget everything `make local` stored
	rm -rf .local-data

AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --prefix tests/browser --no-audit --no-fund --silent

# The generators and the linter tests/clients runs (and `make client`): openapi-typescript, TypeScript, Redocly CLI.
CLIENT_TOOLS := tests/clients/node_modules/.installed
$(CLIENT_TOOLS): tests/clients/package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --prefix tests/clients --no-audit --no-fund --silent
	touch $(CLIENT_TOOLS)

chromium: ## install Debian's Chromium (and a Korean font for screenshots) when missing
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null; }

test: $(STAMP) chromium $(AXE) $(CLIENT_TOOLS) ## every test suite, with coverage of functions/
	$(PY) -m pytest tests --cov=functions --cov-report=term-missing:skip-covered --cov-fail-under=90

test-fast: $(STAMP) ## unit and integration tests only
	$(PY) -m pytest tests/unit tests/integration

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit

test-integration: $(STAMP)
	$(PY) -m pytest tests/integration

test-infra: $(STAMP)
	$(PY) -m pytest tests/infrastructure

test-e2e: $(STAMP)
	$(PY) -m pytest tests/e2e

test-browser: $(STAMP) chromium $(AXE)
	$(PY) -m pytest tests/browser

openapi: $(STAMP) ## regenerate functions/gallery/openapi.json (served at GET /api/openapi.json) from the code
	PYTHONPATH=functions $(PY) -m studio.openapi > functions/gallery/openapi.json.tmp && mv functions/gallery/openapi.json.tmp functions/gallery/openapi.json

client: $(STAMP) $(CLIENT_TOOLS) ## generate a Python client and TypeScript types from the OpenAPI document into build/clients/ (docs/api-clients.md)
	rm -rf build/clients
	$(PY) -m tests.clients.generated build/clients

lint-api: $(STAMP) $(CLIENT_TOOLS) ## lint the OpenAPI document (Redocly CLI, tests/clients/redocly.yaml)
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true tests/clients/node_modules/.bin/redocly lint --config tests/clients/redocly.yaml functions/gallery/openapi.json

lock: $(STAMP) ## recompile layers/requirements.lock and layers/credentials/requirements.lock (each layer's tree, hashed) after editing a requirements.txt
	$(PY) -m cdk.layer

synth: $(STAMP) ## synthesize the CDK stack (offline, no Docker) into cdk.out/
	$(PY) app.py

deploy: $(STAMP) ## preflight, then cdk deploy with the pinned CLI (CONTEXT="-c key=value ..."; SKIP_PREFLIGHT=1 skips the model check)
	@if [ -z "$(SKIP_PREFLIGHT)" ]; then $(PY) -m cdk.preflight $(CONTEXT) || { echo "preflight failed: fix the settings it names, or run make deploy SKIP_PREFLIGHT=1 (docs/deploy.md)"; exit 1; }; fi
	npm ci --prefix cdk --no-audit --no-fund --silent
	npm exec --prefix cdk -- cdk deploy $(CONTEXT)

destroy: ## delete the stack (data kept unless deployed with -c removalPolicy=destroy; see docs/deploy.md)
	npm ci --prefix cdk --no-audit --no-fund --silent
	npm exec --prefix cdk -- cdk destroy $(CONTEXT)

preflight: $(STAMP) ## check the configured Bedrock models in the target region (needs credentials)
	$(PY) -m cdk.preflight $(CONTEXT)

preflight-local: $(STAMP) ## the same checks against the Bedrock emulator's control plane (offline)
	$(PY) -m local.preflight $(CONTEXT)

bench: $(STAMP) ## benchmarks: cold imports and worker overhead as ratios to a baseline
	$(PY) -m tests.bench

load: $(STAMP) ## 50 people at once against a fresh local stack for 60 s: resets, statuses, p50/p95, records (ARGS="--url ...")
	$(PY) -m local.load $(ARGS)
	$(MAKE) --no-print-directory bench-push
bench-push: $(STAMP) ## push vs polling: COMPLETE write -> client, p50/p95 at 1 and 50 users, API requests per image
	$(PY) -m local.push_bench $(PUSH_ARGS)
backfill: $(STAMP) ## index completed generations the search index lacks (the index function's env; ARGS="--max-batches 4")
	PYTHONPATH=functions $(PY) -m studio.backfill $(ARGS)

backfill-facets: $(STAMP) ## write the gallery's filter rows for records made before them (TABLE_NAME; ARGS="--max-batches 4")
	PYTHONPATH=functions $(PY) -m studio.backfill_facets $(ARGS)

bench-web: $(STAMP) ## the web UI's first-load JS+CSS (gzip) against its 60 KB budget
	$(PY) -m tests.bench_web

clean:
	rm -rf cdk.out .pytest_cache .coverage htmlcov layers/build build
