# gridmap: `make run` and `make test` do everything on a fresh Debian 12 machine.
SHELL := /bin/bash
# Debian's own Python (built with PGO and LTO: 10–15% more requests/s than a plain source build
# such as pyenv's), whatever python3 comes first on PATH.
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
export GRIDMAP_PGPORT ?= 54329
LOCAL_DB_URL := postgis://postgres@127.0.0.1:$(GRIDMAP_PGPORT)/gridmap
# DATABASE_URL from the environment wins; otherwise the private cluster is used.
export DATABASE_URL ?= $(LOCAL_DB_URL)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system venv assets db stop replica replica-stop migrate sample run test lint bench clean-db backup restore loadtest screenshots

install: system venv assets

system:
	@scripts/install-system.sh

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

assets: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@node scripts/build-workbox.mjs >/dev/null
	@touch $@

db: system
	@if [ "$(DATABASE_URL)" = "$(LOCAL_DB_URL)" ]; then scripts/db.sh start; fi

stop:
	@scripts/db.sh stop

# A hot standby of the private cluster on GRIDMAP_REPLICA_PORT (54330), streaming from it; prints
# the DATABASE_REPLICA_URL that sends the application's reads there (docs/scaling.md).
replica: db
	@scripts/replica.sh start

replica-stop:
	@scripts/replica.sh stop

migrate: install db
	@$(BIN)/python manage.py migrate --noinput -v 0

sample: migrate
	@$(BIN)/python manage.py load_sample --if-changed

run: sample
	@$(BIN)/python manage.py collectstatic --noinput -v 0
	@$(BIN)/python manage.py demo_logins
	@echo "gridmap 服务地址: http://$(HOST):$(PORT)/"
	@# The job worker (exports, registers, periodic jobs) runs beside the server and stops with it.
	@$(BIN)/python -m gridmap.server --host $(HOST) --port $(PORT) --workers 2 --access-log --with-worker

lint: venv
	@$(BIN)/ruff check .

test: install db lint
	@$(BIN)/python manage.py collectstatic --noinput -v 0
	@$(BIN)/pytest -q

# docs/screenshots/: every page of every role (tests/browser/pages.py), small PNGs.
screenshots: install db
	@$(BIN)/python manage.py collectstatic --noinput -v 0
	@rm -f docs/screenshots/*.png docs/screenshots/pages.tsv
	@GRIDMAP_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser/test_every_page.py -k every_page
	@$(BIN)/python scripts/screenshots_index.py docs/screenshots

# Benchmarks are not part of CI: they run for minutes and need wrk.
bench: sample
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@DJANGO_SETTINGS_MODULE=bench.settings $(BIN)/python -m bench

# 32 clients for 60 s on loopback against the server (granian); fails on any error.
loadtest: sample
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@DJANGO_SETTINGS_MODULE=bench.settings $(BIN)/python -m bench.loadtest

# Database (pg_dump) and media into backups/<timestamp>/; restore with BACKUP=backups/<timestamp>.
backup: db
	@scripts/backup.sh backup

restore: db
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/<timestamp>"; exit 2; }
	@scripts/backup.sh restore "$(BACKUP)"

clean-db: stop
	@rm -rf "$$(readlink -f .pgdata)" .pgdata
