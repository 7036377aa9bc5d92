# The commands people type. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
DEMO_ENV := DEBUG=1

.DEFAULT_GOAL := help
.PHONY: help install demo test lint format schema messages serve worker beat bench migrate clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## Create or update .venv with the shop and its tools

demo: $(STAMP) ## Run the demo shop on http://127.0.0.1:8000 (SQLite, demo data)
	$(DEMO_ENV) $(MANAGE) migrate --noinput
	$(DEMO_ENV) $(MANAGE) seed_demo
	@echo "Storefront: http://127.0.0.1:8000/storefront/  Portal demo: http://127.0.0.1:8000/portal-demo/  API (GraphiQL): http://127.0.0.1:8000/graphql/  Administration: http://127.0.0.1:8000/admin/"
	$(DEMO_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: $(STAMP) ## Run the whole test suite (PostgreSQL when DATABASE_URL says so)
	$(BIN)/pytest --create-db $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, ruff format --check, mypy, makemigrations --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(DEMO_ENV) $(MANAGE) makemigrations --check --dry-run

format: $(STAMP) ## Format and auto-fix the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(STAMP) ## Rewrite graphql/schema.graphql from the code
	$(DEMO_ENV) $(MANAGE) export_schema shop.schema:schema --path graphql/schema.graphql

messages: $(STAMP) ## Update and compile the es/en translation catalogues
	$(DEMO_ENV) $(MANAGE) makemessages -l es -l en --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(DEMO_ENV) $(MANAGE) compilemessages --ignore '.venv/*'

migrate: $(STAMP) ## Apply migrations to the configured database
	$(MANAGE) migrate --noinput

serve: $(STAMP) ## Production server: gunicorn, WEB_CONCURRENCY workers
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput
	$(BIN)/gunicorn shop.wsgi:application -c shop/gunicorn.conf.py

worker: $(STAMP) ## Celery worker (needs REDIS_URL)
	$(BIN)/celery -A shop worker --loglevel INFO

beat: $(STAMP) ## Celery beat scheduler (needs REDIS_URL)
	$(BIN)/celery -A shop beat --loglevel INFO

bench: $(STAMP) ## Benchmarks: print figures, never fail on timing
	$(BIN)/python -m tests.bench

clean: ## Remove the venv, the SQLite database and generated files
	rm -rf $(VENV) db.sqlite3 var
