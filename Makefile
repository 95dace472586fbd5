# TalentPortal: `make run` serves the demo site, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test lint audit format messages vendor backup restore bench load clean

# The virtualenv is rebuilt when the pinned requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_regions
	$(PY) manage.py load_demo
	@echo "Serving on http://$(HOST)/ — demo accounts are listed in README.md"
	$(PY) manage.py runserver $(HOST)

# SQLite unless DATABASE_URL is set; broker tests only when CELERY_BROKER_URL is set;
# browser tests need /usr/bin/chromium (REQUIRE_BROWSER=1 makes their absence a failure).
# In parallel (pytest-xdist; each worker has its own test database) on TEST_WORKERS processes;
# TEST_WORKERS=0 runs serially. Ends with the 15 slowest tests.
TEST_WORKERS ?= auto
test: $(VENV)/.installed
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist load --durations=15 $(PYTEST_ARGS)

# Style, then the architecture: import contracts (pyproject.toml, import-linter), no import cycle in
# programs/ and the module/function size limits (scripts/check_architecture.py).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_architecture.py

# Static security checks: bandit fails on high-severity findings; pip-audit fails on a known
# vulnerability in an installed package (README, "Security" lists what it could not audit).
audit: $(VENV)/.installed
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level high --quiet
	$(VENV)/bin/pip-audit --local --progress-spinner off

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the translation catalogs after changing UI strings, then translate and compile.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=tests --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv

# Refresh static/vendor/ (ECharts, axe-core) from the exact pins in package-lock.json; commit the result.
vendor:
	scripts/vendor.sh

# The database of DATABASE_URL (SQLite by default) and MEDIA_ROOT, into backups/<time>/; restore
# with `make restore BACKUP=backups/talentportal-…` (replaces what the target database holds).
backup:
	$(PYTHON) scripts/backup.py backup

restore:
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=backups/talentportal-…" && exit 2)
	$(PYTHON) scripts/backup.py restore $(BACKUP)

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tp_gen_bench
BENCH_LARGE_DATABASE_URL ?=
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=0 DJANGO_SECURE=0 STATIC_ROOT=/tmp/talentportal-bench-static

# Province-scale figures P1–P12 as JSON (docs/performance.md); PostgreSQL with a generated province.
bench: $(VENV)/.installed
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) manage.py bench --json $(if $(BENCH_LARGE_DATABASE_URL),--large-database-url $(BENCH_LARGE_DATABASE_URL)) $(BENCH_ARGS)

# 200 public users and 20 officials saving drafts for 60 s; fails on any error or lost save.
# Starts and stops its own gunicorn and redis on loopback; leaves the database as it found it.
load: $(VENV)/.installed
	$(PY) bench/load.py --database-url $(BENCH_DATABASE_URL) --redis --officials 20 --tabs 2 $(LOAD_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
