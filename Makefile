# salesflow — the two commands: `make run` (set up and start with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format install translations messages bench loadtest pins clean

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

# Compiled catalogs are build output; the .po files are the source.
translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d salesflow/translations

run: translations
	$(FLASK) db upgrade
	$(FLASK) playbooks sync
	$(FLASK) demo load --if-empty
	# the development server with the scheduler in the same process (production runs gunicorn
	# and the scheduler as separate services)
	$(FLASK) serve --host $(HOST) --port $(PORT)

test: translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract every marked string and merge it into the catalogs (then translate the new entries).
messages: $(VENV)/.installed
	$(BIN)/pybabel extract --no-wrap -F babel.cfg -k _l -k lazy_gettext -o salesflow/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap -N --ignore-obsolete -i salesflow/translations/messages.pot -d salesflow/translations

bench: translations
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

# locust, headless, against gunicorn (4 workers) on the bench's data set: LOADTEST_USERS
# concurrent users in steps, LOADTEST_TIME seconds each; LOADTEST_ARGS="--sqlite FILE" or
# BENCH_DATABASE_URL for PostgreSQL. It writes quick logs: give it a copy.
LOADTEST_USERS ?= 5,10,20,50
LOADTEST_TIME ?= 60
loadtest: translations
	$(BIN)/python -m tools.loadtest --users $(LOADTEST_USERS) --time $(LOADTEST_TIME) $(LOADTEST_ARGS)

pins: $(VENV)/.installed
	$(BIN)/pip-compile -q --strip-extras -o requirements.txt requirements.in
	$(BIN)/pip-compile -q --strip-extras -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
