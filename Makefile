# Veivis. Two commands do everything on a fresh machine:
#   make run    environment, install, spaCy pipeline, training (only if needed), both servers
#   make test   everything CI checks
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
RASA := $(PY) -m veivis.rasa_cli
export VEIVIS_RASA_PORT ?= 5005
export VEIVIS_ACTION_PORT ?= 5055
export VEIVIS_TRACKER_DB ?= var/veivis.db
export TF_CPP_MIN_LOG_LEVEL ?= 2
# Rasa's telemetry and error reports (Sentry) would send data off the machine: off.
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

STAMP := $(VENV)/.installed
SPACY := build/spacy/nb_veivis/meta.json
DANGER := build/danger/classifier.joblib
MODEL := models/veivis.tar.gz
# Only what the trained model depends on: the spaCy pipeline and the custom components
# are loaded from disk when Rasa starts, so pattern or code changes need no retraining.
TRAIN_INPUTS := config.yml $(shell find domain data/nlu data/rules data/stories -name '*.yml')

NODE_STAMP := node_modules/.package-lock.json

.PHONY: help setup deps nlp danger train run test validate lint format lock clean widget-deps bench soak hostile nlu-report retention

# Debian packages the tests need: chromium (browser tests); PostgreSQL, Redis and nginx
# (the scale-out test). `make deps` installs the missing ones (root or sudo); nothing else
# installs system packages (CI's .ci/run calls `make deps` first).
DEBIAN_PACKAGES := chromium postgresql redis-server nginx

help:
	@echo "make run    start Veivis (sets everything up first)"
	@echo "make test   run every test (what CI runs); once per machine: make deps"
	@echo "make bench  benchmarks against a stock rasa init bot; make nlu-report for NLU quality"
	@echo "make soak   50 conversations for 5 minutes against one instance: errors, memory growth"
	@echo "make hostile  ordinary users beside a client rotating sender ids: limits, storage growth"

$(STAMP): requirements.lock pyproject.toml scripts/find-python.sh
	@PYBIN=$$(scripts/find-python.sh) && echo "Using $$PYBIN" && $$PYBIN -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

setup: $(STAMP)

deps:
	scripts/ensure-debian-packages.sh $(DEBIAN_PACKAGES)

# axe-core for the accessibility test (the widget itself needs no build step)
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

widget-deps: $(NODE_STAMP)

$(SPACY): $(STAMP) $(wildcard resources/patterns/*.yml) $(wildcard veivis/nlp/*.py)
	$(PY) -m veivis.nlp.build --out build/spacy/nb_veivis

nlp: $(SPACY)

# The learned danger classifier (veivis/danger/classifier.py): a few seconds.
$(DANGER): $(STAMP) $(wildcard data/danger/*.yml) $(wildcard data/nlu/*.yml) veivis/danger/classifier.py veivis/language/normalise.py resources/patterns/language.yml
	$(PY) -m veivis.danger.classifier --out $(DANGER)

danger: $(DANGER)

# Rasa retrains only when an input above is newer than the model.
$(MODEL): $(TRAIN_INPUTS) | $(SPACY)
	@mkdir -p models
	@start=$$(date +%s) && \
	$(RASA) train --domain domain --fixed-model-name veivis --out models --quiet && \
	echo "Training took $$(( $$(date +%s) - start )) s"

train: $(MODEL)

run: $(MODEL) $(SPACY) $(DANGER)
	@mkdir -p var
	@$(PY) -m veivis.serve

# Latency, throughput, memory, start-up and training against a stock `rasa init` bot.
bench: $(MODEL) $(SPACY) $(DANGER)
	$(PY) -m bench.run

# Intent precision/recall/F1, cross-validation, red-flag recall and false alarms.
soak: $(MODEL) $(SPACY) $(DANGER)
	$(PY) -m bench.soak

# Ordinary users and one hostile client rotating sender ids, limits on and off (issue 18).
hostile: $(MODEL) $(SPACY) $(DANGER)
	$(PY) -m bench.hostile

nlu-report: $(MODEL) $(SPACY) $(DANGER)
	$(PY) -m bench.nlu_report

# Delete conversations older than VEIVIS_RETENTION_DAYS (default 30); `make run` does it too.
retention: $(STAMP)
	$(PY) -m veivis.retention

validate: $(SPACY)
	$(RASA) data validate --domain domain --fail-on-warnings --quiet

# ruff over everything; mypy over veivis/ and actions/ (its settings: pyproject.toml)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Builds what the tests need (each step only when its inputs changed), then
# scripts/test.sh runs the test suites, stopping at the first failure.
test: lint validate $(MODEL) $(DANGER) $(NODE_STAMP)
	scripts/test.sh

lock: $(STAMP)
	$(VENV)/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf build models/*.tar.gz var results test-artifacts .rasa
