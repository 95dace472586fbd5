# TalentPortal: `make run` serves the demo site, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format messages vendor backup restore clean

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
test: $(VENV)/.installed
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
