# Two commands do all the set-up: `make run` (the app with demo data) and `make test` (lint + every test).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app server
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint translations extract-messages bench labels backup clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# The app compiles missing or stale catalogs itself when it starts (server/i18n.py); this runs the same code.
translations: $(VENV)/.runtime
	$(PY) -m server.i18n

# The URL QR labels encode and `make run` prints: XUNJIAN_PUBLIC_BASE_URL (or PUBLIC_BASE_URL in
# instance/config.py) when set, else where HOST:PORT is reached from (this machine's network address for
# HOST=0.0.0.0). The app works it out (flask public-url, which warns when phones could not open it); the
# recipe expands this only once the venv is built.
SERVE_URL = $(or $(shell $(FLASK) public-url --host $(HOST) --port $(PORT)),http://$(HOST):$(PORT))

## run: install, migrate, load demo data once, serve on http://$(HOST):$(PORT), labels encoding SERVE_URL
run: $(VENV)/.runtime
	$(FLASK) db upgrade
	url='$(SERVE_URL)'; export XUNJIAN_PUBLIC_BASE_URL="$$url"; \
	$(FLASK) seed-demo --url "$$url" && exec $(FLASK) run --host $(HOST) --port $(PORT)

## test: ruff, then the whole pytest suite on every core (browser tests included, on one worker)
test: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -q -n auto --dist loadgroup $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

## extract-messages: refresh the .pot and merge it into every catalog
extract-messages: $(VENV)/.runtime
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o server/translations/messages.pot .
	$(VENV)/bin/pybabel update -N -i server/translations/messages.pot -d server/translations
	$(PY) scripts/merge_translations.py

labels: $(VENV)/.runtime
	$(FLASK) make-labels

backup: $(VENV)/.runtime
	$(FLASK) backup

bench: $(VENV)/.dev
	for f in bench/[!_]*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
