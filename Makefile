# Every target installs what it needs into a local virtualenv first, from pinned
# requirements, so a fresh clone needs only Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: install test validate serve lock clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

test: install
	$(BIN)/python -m pytest -q

# The embedded default: data/ built into a local folder store and served by
# `chalice local`, with no AWS account and no credentials.
SERVE_STORE := .serve/store
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
	DATASET_STORE=$(SERVE_STORE) $(BIN)/chalice local --no-autoreload --host $(HOST) --port $(PORT)

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
	rm -rf $(VENV) .pytest_cache build dist
