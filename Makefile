# STF Tracker. `make run` sets everything up and serves the site; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench install install-dev migrate demo worker beat clean chromium lock

# The settings fail closed (DEBUG off unless asked for). These targets run the development set-up
# on this machine: DEBUG on, so no secret key, hosts or shared cache to give. Set DEBUG=0 (and the
# production settings, README "Production") to run them otherwise.
migrate demo run worker beat test bench: export DEBUG ?= 1

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python manage.py recompute

run: demo
	@echo "STF Tracker at http://$(HOST):$(PORT)/ (tasks run in-process; Ctrl-C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's chromium; install it when it is missing and we may.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need chromium at /usr/bin/chromium (sudo apt-get install chromium)"; exit 1; fi; }

test: install-dev chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python bench/run_all.py

worker: install
	$(BIN)/celery -A stftracker worker --loglevel=INFO

beat: install
	$(BIN)/celery -A stftracker beat --loglevel=INFO

# The hashed lock the image installs from (Dockerfile): every pin of requirements.txt and what it
# needs, each with its hashes. Run after changing requirements.txt.
lock: install-dev
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock requirements.txt

clean:
	rm -rf $(VENV) staticfiles stftracker.sqlite3
