# Two commands do all the set-up: `make run` (the app with demo data) and `make test` (lint + every test).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app server
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres lint translations extract-messages bench labels backup clean

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
## (make run RESET=1 deletes all data and photos first and loads the demo afresh: starting over)
run: $(VENV)/.runtime
	$(FLASK) db upgrade
	url='$(SERVE_URL)'; export XUNJIAN_PUBLIC_BASE_URL="$$url"; \
	$(FLASK) seed-demo $(if $(RESET),--reset --yes )--url "$$url" && exec $(FLASK) run --host $(HOST) --port $(PORT)

PYTEST := $(VENV)/bin/python -m pytest -q -n auto --dist loadgroup

## test: ruff, then the whole pytest suite on every core (browser tests included, on one worker) on SQLite,
## then the whole suite again on PostgreSQL (test-postgres). DB=sqlite or DB=postgres runs one of the two.
DB ?= both
test: $(VENV)/.dev
	$(VENV)/bin/ruff check .
ifneq ($(DB),postgres)
	XUNJIAN_TEST_POSTGRES_URL= $(PYTEST) $(PYTEST_ARGS)
endif
ifneq ($(DB),sqlite)
	$(MAKE) --no-print-directory test-postgres
endif

## test-postgres: the suite on the PostgreSQL server XUNJIAN_TEST_POSTGRES_URL names (its maintenance
## database: each test gets a database of its own there), else on a throw-away one started on loopback for
## the run (scripts/throwaway_postgres.py). Without PostgreSQL's server programs it says so and passes,
## except when CI is set, where it fails.
# The browser tests too: what a phone does goes through the live server onto the database under test.
test-postgres: $(VENV)/.dev
	@if [ -n "$$XUNJIAN_TEST_POSTGRES_URL" ]; then exec $(PYTEST) $(PYTEST_ARGS); fi; \
	if ! $(PY) scripts/throwaway_postgres.py bindir >/dev/null; then \
	  echo "PostgreSQL is not installed (apt-get install -y postgresql): the suite ran on SQLite only."; \
	  [ -z "$$CI" ] || exit 1; exit 0; \
	fi; \
	exec $(PY) scripts/throwaway_postgres.py run $(PYTEST) $(PYTEST_ARGS)

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
