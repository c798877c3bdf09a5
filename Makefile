# Developer entry points. PostgreSQL and Redis come from zhangwan/devservices.py: the
# servers named by $DATABASE_URL / $REDIS_URL, else local ones on the default ports,
# else embedded ones under .run/ (so a machine with neither still works).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
SERVICES := $(PY) zhangwan/devservices.py
PYTEST := $(VENV)/bin/pytest
PYTHON ?= $(shell command -v python3.11 || command -v python3)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.requirements.stamp
# .venv and .run hold locale dirs of their own (Django's, PostgreSQL's): not ours to compile.
COMPILEMESSAGES := if [ -d locale ]; then $(MANAGE) compilemessages --ignore=.venv --ignore=.run; fi
ARGS ?=

# $(call with_services,CMD): run CMD with DATABASE_URL/REDIS_URL exported. `down` runs
# from the EXIT trap, so services stop even when CMD fails, and CMD's status is kept.
with_services = trap '$(SERVICES) down' EXIT; $(SERVICES) up && . ./.run/services.env && $(1)

.PHONY: venv run test sysdeps lint check drill clean-run

venv: $(STAMP)

# Reinstall only when requirements.txt is newer than the stamp. uv installs the requirements in
# about 7 s where pip takes about 40 (most of it reading index pages): a tenth of the suite's
# budget. It compiles the bytecode as pip does: where PYTHONDONTWRITEBYTECODE is set (as on the
# machines here), nothing else would, and every process of the suite would compile Django and the
# rest from source (pytest 465 s → 605 s, measured). uv reads no pip.conf, so it is given pip's
# index (a mirror on an intranet); where uv cannot install (no such index, no network), pip does.
$(STAMP): requirements.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	index="$${PIP_INDEX_URL:-$$($(PY) -m pip config get global.index-url 2>/dev/null)}"; \
	{ $(PY) -m pip install -q uv==0.13.9 \
	  && $(VENV)/bin/uv pip install --python $(PY) --compile-bytecode \
	       $${index:+--default-index "$$index"} -r requirements.txt; } \
	|| $(PY) -m pip install -r requirements.txt
	touch $@

run: venv
	bash bin/run

# Browser tests use the distribution's Chromium (its headless shell, see conftest.py) and a CJK
# font; compilemessages needs gettext. Never `playwright install` (downloads browsers).
sysdeps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/lib/chromium/chromium-headless-shell ] \
	    || ! command -v msgfmt >/dev/null || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then \
	  echo "installing chromium, chromium-headless-shell, fonts-wqy-microhei, gettext" >&2; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-headless-shell \
	    fonts-wqy-microhei gettext; \
	fi

# The suite in TEST_WORKERS processes (pytest-xdist), each on its own test database (test_<name>_gw0,
# _gw1, ...): the tests wait on PostgreSQL, Celery workers and Chromium about as long as they compute,
# so three keep two cores busy. make test TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 3
test: venv sysdeps
	@$(call with_services,{ $(COMPILEMESSAGES); } && $(PYTEST) -n $(TEST_WORKERS) --dist loadgroup $(ARGS))

lint: venv
	$(VENV)/bin/ruff check .

check: venv
	@$(call with_services,$(MANAGE) makemigrations --check --dry-run \
	  && DJANGO_SETTINGS_MODULE=zhangwan.settings_production $(MANAGE) check --deploy)

# The backup and restore drill on the configured (or local, or embedded) database: pg_dump, restore
# into a fresh database, the annual report of both compared cell by cell. YEAR=2022 to choose.
drill: venv
	@$(call with_services,$(MANAGE) backup_drill $(if $(YEAR),--year $(YEAR)))

clean-run:
	[ ! -x $(PY) ] || $(SERVICES) down --force
	rm -rf .run

# Benchmarks, see docs/performance.md. Each script makes and drops its own database (the HTTP
# ones also run gunicorn on 127.0.0.1); each runs even if an earlier one failed, and the target
# fails if any did. e.g. make bench BURST_ARGS="--rounds 5" LISTS_ARGS="--seconds 5"
BURST_ARGS ?=
LISTS_ARGS ?=
.PHONY: bench
bench: venv
	@$(call with_services,{ $(COMPILEMESSAGES); } && { status=0; \
	  $(PY) bench/registration_burst.py $(BURST_ARGS) || status=1; echo; \
	  $(PY) bench/list_pages.py $(LISTS_ARGS) || status=1; echo; \
	  $(PY) bench/eligibility.py $(ELIGIBILITY_ARGS) || status=1; echo; \
	  $(PY) bench/results.py $(RESULTS_ARGS) || status=1; echo; \
	  $(PY) bench/subsidies.py $(SUBSIDIES_ARGS) || status=1; echo; \
	  $(PY) bench/api_sync.py $(API_ARGS) || status=1; echo; \
	  $(PY) bench/masters.py $(MASTERS_ARGS) || status=1; echo; \
	  $(PY) bench/reports.py $(REPORTS_ARGS) || status=1; echo; \
	  $(PY) bench/pages.py $(PAGES_ARGS) || status=1; echo; \
	  $(PY) bench/load.py $(LOAD_ARGS) || status=1; exit $$status; })
