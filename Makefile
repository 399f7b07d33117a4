# Every target installs what it needs into a local virtualenv first, from pinned
# requirements, so a fresh clone needs only Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: install lint test validate serve contract lock clean screenshots checkov-install test-fast test-thorough

# checkov scans the packaged template (make package, tests/project/test_package.py). Its pins
# clash with requirements-dev.txt (boto3, among others), so it has a virtualenv of its own.
CHECKOV_VENV  := .checkov-venv
# checkov's command line, with its JSONPath parser built once: tools/run_checkov.py says why.
CHECKOV       := $(CHECKOV_VENV)/bin/python tools/run_checkov.py
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cat requirements-checkov.txt | cksum | cut -d' ' -f1)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	rm -f $(CHECKOV_VENV)/.installed-*
	touch $@

checkov-install: $(CHECKOV_STAMP)

# Lint, format, the layers contract and the types (ruff.toml, .importlinter, mypy.ini) are
# checks, never rewrites: `$(BIN)/ruff check --fix . && $(BIN)/ruff format .` applies the first two.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The suite runs in parallel, one worker per core (TEST_WORKERS=1 runs it in one process);
# `$(BIN)/python -m pytest --lf` reruns only what failed last. test-fast leaves out the browser
# and the project tests (the Makefile, packaging, the contract over HTTP, the benchmarks), and
# the lint: the quick loop while changing code. The README gives both times on 2 cores.
# make test runs the lint beside the suite, not before it: the lint keeps one core busy (mypy,
# with no cache in a fresh clone) while the other would wait. Its output is held back and shown
# whole after the suite's; make test fails when either fails, and says which.
TEST_WORKERS ?= auto
test: install checkov-install
	@log=$$(mktemp); status=$$(mktemp); \
	{ $(MAKE) --no-print-directory lint > $$log 2>&1; echo $$? > $$status; } & \
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS); tests=$$?; wait; \
	echo "--- make lint, run beside the suite ---"; cat $$log; lint=$$(cat $$status); \
	rm -f $$log $$status; \
	[ $$lint -eq 0 ] || echo "make test: make lint failed (its output is above)"; \
	[ $$tests -eq 0 ] || echo "make test: the suite failed"; \
	[ $$lint -eq 0 ] && [ $$tests -eq 0 ]

test-fast: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not project and not browser"

# Property tests try a fraction of their examples in `make test` (tests/support/examples.py);
# this runs the whole suite with every example each was written to try: before a release, or
# after a change to a parser, the cursors or the OpenAPI document. PROPERTY_SCALE=3 soaks longer.
PROPERTY_SCALE ?= 1
test-thorough: install
	PROPERTY_SCALE=$(PROPERTY_SCALE) $(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# The embedded default: data/ built into a local folder store and served by devserver/,
# with no AWS account and no credentials. devserver runs the app as `chalice local` does, but
# routes and answers as API Gateway does in production (404 problem for an unknown path, 405
# for any method a path does not take, TRACE included). SERVE_STORE, HOST and PORT may be
# overridden (`make serve PORT=8001`); the app reads its store from DATASET_STORE.
SERVE_STORE ?= .serve/store
HOST ?= 127.0.0.1
PORT ?= 8000
serve: install
	$(BIN)/python -m chalicelib publish --to $(SERVE_STORE)
	@echo ""
	@echo "Serving the dataset at http://$(HOST):$(PORT)/   (Ctrl-C stops it)"
	@echo "  curl http://$(HOST):$(PORT)/"
	@echo "  curl 'http://$(HOST):$(PORT)/people?q=pourmohammadi'"
	@echo "  curl 'http://$(HOST):$(PORT)/claims?property=victim_count'"
	@echo ""
	DATASET_STORE=$(SERVE_STORE) $(BIN)/python -m devserver --host $(HOST) --port $(PORT)

# The OpenAPI contract, over real HTTP: schemathesis runs every check against the server
# `make serve` starts, with the settings in schemathesis.toml. `make test` runs a short version
# (tests/project/test_contract.py); this is the long one. SEED replays a run (schemathesis
# prints the seed it used); EXAMPLES is the number of test cases per operation and phase.
CONTRACT_PORT ?= 8765
EXAMPLES ?= 40
SEED ?=
contract: install
	$(BIN)/python -m chalicelib publish --to $(SERVE_STORE)
	DATASET_STORE=$(SERVE_STORE) $(BIN)/python -m devserver --host $(HOST) --port $(CONTRACT_PORT) > $(SERVE_STORE).contract.log 2>&1 & server=$$!; \
	trap 'kill $$server' EXIT; \
	$(BIN)/schemathesis run http://$(HOST):$(CONTRACT_PORT)/openapi.json --wait-for-schema 60 \
	  --checks all --max-examples $(EXAMPLES) $(if $(SEED),--seed $(SEED)) --generation-database none

# The README's screenshots of a record page, in English and in Persian (headless Chromium).
screenshots: install
	SCREENSHOTS_DIR=docs $(BIN)/python -m pytest -q tests/project/test_pages_browser.py -k screenshots

validate: install
	$(BIN)/python -m chalicelib validate

# Re-resolve the development pins from requirements-dev.in.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements-dev.in
	{ echo "# Full pinned resolution of requirements-dev.in for Python 3.11 (make lock regenerates it)."; \
	  .lock-venv/bin/pip freeze --exclude pip --exclude setuptools --exclude wheel; } > requirements-dev.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache build dist

# --- Production: package (no AWS account), deploy and publish (against a real account) --------
# See docs/deployment.md. chalice needs a region even to package, but packaging calls no AWS
# API; only pip goes online, to PyPI, for the Lambda's manylinux wheels.
.PHONY: package deploy publish
AWS_DEFAULT_REGION ?= us-east-1
STACK          ?= iran1988-records
PACKAGE_DIR    := build/package
MERGE_TEMPLATE := .chalice/template-resources.json
# Fail on cfn-lint errors AND warnings: the template lints clean today, so a new warning is a
# regression to look at, not noise. Informational findings never fail. Nothing is ignored; if a
# warning ever has to be accepted, add `--ignore-checks Wxxxx` here with the reason next to it.
CFN_LINT_FLAGS := --non-zero-exit-code warning
# checkov: 0 failed checks. What does not apply is skipped in the template itself, each check in
# its resource's Metadata.checkov.skip with the reason. --skip-download: it runs offline.
CHECKOV_FLAGS := --framework cloudformation --compact --quiet --skip-download

package deploy: export AWS_DEFAULT_REGION := $(AWS_DEFAULT_REGION)

# build/package/{sam.json,deployment.zip}: chalice's SAM template merged with
# $(MERGE_TEMPLATE) (data bucket, the function's read-only role, throttling, outputs).
package: install checkov-install
	rm -rf $(PACKAGE_DIR)
	$(BIN)/chalice package --stage prod --merge-template $(MERGE_TEMPLATE) $(PACKAGE_DIR)
	$(BIN)/cfn-lint $(CFN_LINT_FLAGS) -- $(PACKAGE_DIR)/sam.json
	$(CHECKOV) $(CHECKOV_FLAGS) -f $(PACKAGE_DIR)/sam.json
	@echo "package: $(PACKAGE_DIR)/sam.json and $(PACKAGE_DIR)/deployment.zip (cfn-lint and checkov clean)"

# Uploads the zip to ARTIFACT_BUCKET and creates or updates the CloudFormation stack. Needs the
# AWS CLI, credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/...) and an existing bucket for
# artifacts; DATA_BUCKET optionally names the data bucket (else CloudFormation names it).
deploy: package
	@command -v aws >/dev/null 2>&1 || { echo "deploy: the AWS CLI ('aws') is required" >&2; exit 2; }
	@test -n "$(ARTIFACT_BUCKET)" || { echo "deploy: set ARTIFACT_BUCKET=<existing S3 bucket for the code zip and template>" >&2; exit 2; }
	@test -n "$$AWS_PROFILE$$AWS_ACCESS_KEY_ID" || { echo "deploy: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)" >&2; exit 2; }
	@echo "deploy: stack '$(STACK)' in $(AWS_DEFAULT_REGION) from $(PACKAGE_DIR)/sam.json;"
	@echo "        code and template uploaded to s3://$(ARTIFACT_BUCKET)/; data bucket: $(or $(DATA_BUCKET),named by CloudFormation)"
	aws sts get-caller-identity --output text --query Arn
	aws cloudformation package --use-json --template-file $(PACKAGE_DIR)/sam.json \
	  --s3-bucket $(ARTIFACT_BUCKET) --s3-prefix $(STACK) --output-template-file $(PACKAGE_DIR)/packaged.json
	aws cloudformation deploy --template-file $(PACKAGE_DIR)/packaged.json --stack-name $(STACK) \
	  --s3-bucket $(ARTIFACT_BUCKET) --s3-prefix $(STACK) --capabilities CAPABILITY_IAM \
	  --no-fail-on-empty-changeset $(if $(DATA_BUCKET),--parameter-overrides DataBucketName=$(DATA_BUCKET))
	aws cloudformation describe-stacks --stack-name $(STACK) --query 'Stacks[0].Outputs' --output table

# Builds data/ into a release and publishes it: STORE is the stack's DataStore output
# (s3://<bucket>/) or a folder. Writing needs the publisher's own credentials, never the function's.
# SIGNING_KEY=<path> signs it (else $$DATASET_SIGNING_KEY or $$DATASET_SIGNING_KEY_FILE; docs/integrity.md);
# REPLICA=s3://<replica>/ names the replica a redaction must purge too.
publish: install
	@test -n "$(STORE)" || { echo "usage: make publish STORE=s3://<data bucket>/   (the stack's DataStore output)" >&2; exit 2; }
	$(BIN)/python -m chalicelib publish --to $(STORE) $(if $(SIGNING_KEY),--signing-key $(SIGNING_KEY)) $(foreach r,$(REPLICA),--replica $(r))

# --- Benchmarks ------------------------------------------------------------------------------
# Measures the performance targets (docs/architecture.md#performance-targets) and redraws benchmarks/RESULTS.md, the plot and
# benchmarks/results-<size>.json. Not part of `make test`: timings never gate CI. Runs 10k and
# 100k records; BENCH_SIZES adds sizes to those (`BENCH_SIZES=1000000 make bench` adds 1M).
# Synthetic data and stores go to benchmarks/out/ and are reused while unchanged.
.PHONY: bench
BENCH_SIZES ?=
bench: install
	BENCH_SIZES="$(BENCH_SIZES)" $(BIN)/python -m benchmarks.run
