# CSP Partner Portal: one command to run it, one to test it.
#
#   make run     set up .venv, migrate, seed the demo and start web + Celery worker + beat
#   make test    set up .venv with dev tools, start PostgreSQL/Redis if needed, run pytest on
#                PostgreSQL + Redis, then the main flows again on SQLite + the file-system broker
#
# Needs only Python >= 3.11 and make. Override VENV=... to use another virtualenv.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP_BASE := $(VENV)/.stamp-base
STAMP_DEV := $(VENV)/.stamp-dev
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check -q -c constraints.txt

# The first interpreter on PATH that is Python 3.11 or newer (evaluated only when .venv is made).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	  if command -v $$p >/dev/null 2>&1 && \
	     $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then \
	    echo $$p; break; fi; done)

PYTEST_ARGS ?=
# The SQLite leg of `make test`: the flows that `make run`'s embedded default (SQLite, Kombu's
# file-system broker, the file cache) must share with PostgreSQL, real worker included.
SQLITE_TESTS ?= software/tests orders/tests activity/tests activity_log/tests support/tests invoices/tests \
	customers/tests catalog/tests/test_prices.py catalog/tests/test_policy.py \
	catalog/tests/test_reservation_markets.py partners/tests \
	core/tests/test_health.py core/tests/test_languages.py outbox/tests webhooks/tests dashboard/tests \
	tests/test_tenancy.py tests/test_route_matrix.py tests/test_api_conventions.py \
	tests/test_embedded_leg.py

.PHONY: help run test test-postgres test-sqlite lint vendor clean install install-dev messages extract-messages

help:
	@echo "make run      set up and start the portal with demo data (http://127.0.0.1:8000/)"
	@echo "make test     set up and run the test suite: test-postgres, then test-sqlite (PYTEST_ARGS=...)"
	@echo "make test-postgres  only the whole suite on PostgreSQL + Redis"
	@echo "make test-sqlite    only the main flows on SQLite + the file-system broker (SQLITE_TESTS=...)"
	@echo "make lint     ruff check ."
	@echo "make vendor   refresh static/vendor (and the tests' axe-core) from npm (needs node; not needed to run or test)"
	@echo "make clean    remove var/ and the virtualenv's install stamps"
	@echo "make bench    issue 16's targets in one printout: bench-activity, then bench-speed"

# --- virtualenv ---------------------------------------------------------------------------------

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Python 3.11 or newer is required (looked for python3.11, python3.12, python3.13, python3)." >&2; \
	  exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)

# Re-install only when the declared dependencies or their lock file changed.
$(STAMP_BASE): pyproject.toml constraints.txt | $(PY)
	@echo "Installing the portal's dependencies into $(VENV) (constraints.txt)"
	$(PIP_INSTALL) -e .
	@touch $@

$(STAMP_DEV): pyproject.toml constraints.txt | $(PY)
	@echo "Installing the portal's dependencies and dev tools into $(VENV) (constraints.txt)"
	$(PIP_INSTALL) -e '.[dev]'
	@touch $(STAMP_BASE) $@

install: $(STAMP_BASE)
install-dev: $(STAMP_DEV)

# --- translations (Babel, pure Python; no gettext needed) ---------------------------------------

messages: $(STAMP_BASE)
	@if compgen -G 'locale/*/LC_MESSAGES/django.po' >/dev/null; then \
	  $(BIN)/pybabel compile -d locale -D django; \
	else \
	  echo "No locale/*/LC_MESSAGES/django.po yet: nothing to compile."; \
	fi

# The strings to translate, from the Python modules and the Jinja2 pages (babel.cfg), into
# var/django.pot; merge it into locale/<language>/LC_MESSAGES/django.po, then `make messages`.
BABEL_KEYWORDS := -k gettext_lazy -k gettext_noop -k ngettext:1,2 -k ngettext_lazy:1,2 \
	-k pgettext:1c,2 -k pgettext_lazy:1c,2 -k npgettext:1c,2,3 -k npgettext_lazy:1c,2,3

extract-messages: $(STAMP_BASE)
	@mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location -o var/django.pot .

# --- the two commands ---------------------------------------------------------------------------

run: $(STAMP_BASE) messages
	PYTHON=$(PY) bash scripts/ensure_weasyprint.sh
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(PY) manage.py seed_demo
	exec $(PY) scripts/run_portal.py

test: test-postgres test-sqlite

test-postgres: $(STAMP_DEV) messages
	PYTHON=$(PY) bash scripts/ensure_services.sh
	bash scripts/ensure_chromium.sh
	PYTHON=$(PY) bash scripts/ensure_weasyprint.sh
	@echo "=== make test, leg 1 of 2: the whole suite on PostgreSQL and Redis ==="
	PORTAL_TEST_DB=postgresql $(BIN)/pytest $(PYTEST_ARGS)

# No server needed: settings/test.py puts the database, broker and cache in a temporary folder.
test-sqlite: $(STAMP_DEV) messages
	PYTHON=$(PY) bash scripts/ensure_weasyprint.sh
	@echo "=== make test, leg 2 of 2: the main flows on the embedded default (SQLite, file-system broker) ==="
	PORTAL_TEST_DB=sqlite $(BIN)/pytest $(SQLITE_TESTS) $(PYTEST_ARGS)

# --- the rest -----------------------------------------------------------------------------------

lint: $(STAMP_DEV)
	$(BIN)/ruff check .

vendor:
	if [ -f package-lock.json ]; then npm ci; else npm install; fi
	mkdir -p static/vendor/pico
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico/
	cp node_modules/@picocss/pico/LICENSE.md static/vendor/pico/
	mkdir -p tests/browser/vendor
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/browser/vendor/

clean:
	rm -rf var
	rm -f $(STAMP_BASE) $(STAMP_DEV)

# --- benchmarks (figures in docs/benchmarks/) ---------------------------------------------------

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/csp_bench
BENCH_LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/csp_bench_load
BENCH_LOAD_REDIS_URL ?= redis://127.0.0.1:6379/9
# e.g. BENCH_LOAD_ARGS="--quick" for short runs, "--only download order_place" for some endpoints
BENCH_LOAD_ARGS ?=

BENCH_SPEED_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/csp_bench_speed
BENCH_SPEED_REDIS_URL ?= redis://127.0.0.1:6379/13
# e.g. BENCH_SPEED_ARGS="--quick" (about 5 minutes), "--only download order_place", "--no-load"
BENCH_SPEED_ARGS ?=
BENCH_ACTIVITY_ARGS ?=

.PHONY: bench bench-activity bench-load bench-delivery bench-speed
# One printout of issue 16's targets: the activity log first (its p95 is part of the table), then
# every endpoint in-process and under load. The B-tree/BRIN and partition comparisons stay in
# `make bench-activity`, as they rebuild ten million rows; bench-load stays its own target.
bench: $(STAMP_DEV)
	$(MAKE) bench-activity BENCH_ACTIVITY_ARGS=--skip-layouts
	$(MAKE) bench-speed

# The activity log at ten million events; loads 11 million rows on the first run.
bench-activity: $(STAMP_DEV)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) scripts/bench_activity.py $(BENCH_ACTIVITY_ARGS)

# Each endpoint's CPU ms, statements and throughput against issue 16's targets, beside the
# bare-Django ceiling; seeds seed_demo --scale 20 on its own database on the first run.
bench-speed: $(STAMP_DEV)
	DATABASE_URL=$(BENCH_SPEED_DATABASE_URL) REDIS_URL=$(BENCH_SPEED_REDIS_URL) PYTHON=$(PY) \
	  bash scripts/ensure_services.sh
	bash scripts/ensure_wrk.sh
	BENCH_DATABASE_URL=$(BENCH_SPEED_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_SPEED_REDIS_URL) \
	  $(PY) scripts/bench_speed.py $(BENCH_SPEED_ARGS)

# The portal under load: gunicorn with the production settings, wrk and Locust on loopback;
# seeds 200 partners, 50,000 customers and 500,000 orders on the first run.
bench-load: $(STAMP_DEV)
	DATABASE_URL=$(BENCH_LOAD_DATABASE_URL) REDIS_URL=$(BENCH_LOAD_REDIS_URL) PYTHON=$(PY) \
	  bash scripts/ensure_services.sh
	bash scripts/ensure_wrk.sh
	BENCH_DATABASE_URL=$(BENCH_LOAD_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_LOAD_REDIS_URL) \
	  $(PY) scripts/bench_load.py $(BENCH_LOAD_ARGS)

# Downloads per second, streamed by the portal against presigned URLs of an S3-compatible store
# (Moto's server); seeds seed_demo --scale 20 on the load benchmark's database on the first run.
bench-delivery: $(STAMP_DEV)
	DATABASE_URL=$(BENCH_LOAD_DATABASE_URL) REDIS_URL=$(BENCH_LOAD_REDIS_URL) PYTHON=$(PY) \
	  bash scripts/ensure_services.sh
	bash scripts/ensure_wrk.sh
	BENCH_DATABASE_URL=$(BENCH_LOAD_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_LOAD_REDIS_URL) \
	  $(PY) scripts/bench_delivery.py $(BENCH_DELIVERY_ARGS)
