# eduplatform: `make run` serves the site with demo data, `make test` runs the whole suite.
# Both set everything up first on a machine with only Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMP := $(VENV)/.installed

.PHONY: help setup run test test-postgres lint translations-extract translations-update translations-compile bench check-content clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 24

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP) translations-compile  ## Create the virtual environment and build the translations

run: setup  ## Serve the site on http://127.0.0.1:5000 with demo data
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	EDUPLATFORM_ENV=development EDUPLATFORM_MFA_REQUIRED_FOR=none $(FLASK) run --host 127.0.0.1 --port 5000

test: setup  ## Run the whole test suite (browser and PostgreSQL parts skip when unavailable)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: setup  ## Run the suite against PostgreSQL (DATABASE_URL, default the local server)
	EDUPLATFORM_TEST_DATABASE_URL=$${EDUPLATFORM_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup  ## Check style, imports, security and gettext use
	$(BIN)/ruff check .

check-content: setup  ## Validate the curriculum and content folders
	$(FLASK) check-content

bench: setup  ## Print the speed figures
	$(BIN)/python bench/run.py
	$(BIN)/python bench/roster.py
	$(BIN)/python bench/records.py
	$(BIN)/python bench/training.py
	$(BIN)/python bench/parents.py
	$(BIN)/python bench/privacy.py
	$(BIN)/python bench/serve.py  # the site under gunicorn beside its floor app (SQLite, then PostgreSQL)

translations-extract: $(STAMP)  ## Extract interface strings into translations/messages.pot
	$(BIN)/pybabel extract --no-location -F babel.cfg -k _l -o translations/messages.pot .

translations-update: translations-extract  ## Merge new strings into every locale's .po file
	$(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations

translations-compile: $(STAMP)  ## Build the .mo files the site reads
	$(BIN)/pybabel compile --use-fuzzy -d translations --statistics 2>&1 | tail -n 3

clean:  ## Remove the virtual environment and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache
