# Neck-pain and headache assistant. `make chat` talks to it, `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
RASA := $(BIN)/rasa
PY := $(BIN)/python
# The Rasa server with the project's changes to Rasa installed (components/rasa_patches.py); takes rasa's arguments.
RASA_SERVER := $(PY) -m components.server
# The action server: rasa-sdk and the knowledge package only (actions/requirements.txt), no TensorFlow.
ACTION_SERVER = $(PY) -m rasa_sdk --actions actions --port $(ACTIONS_PORT)
PORT ?= 5005
WEB_PORT ?= 8080
# Origins allowed to talk to the Rasa server from a browser: only the web page's, by default.
CORS_ORIGINS ?= http://localhost:$(WEB_PORT) http://127.0.0.1:$(WEB_PORT)
WEBCHAT := web/node_modules/rasa-webchat/lib/index.js
# endpoints.yml points Rasa at this port.
ACTIONS_PORT := 5055

SPACY_PIPELINE := build/spacy/neck_pain_en
GENERATED_RESPONSES := build/rasa/responses.yml
# The web page's own sentences (its disclaimer), from domain.yml.
WEB_MESSAGES := web/messages.js
MODEL := models/neck-pain-assistant.tar.gz
TRAINING_DATA := data build/rasa
DATA_FILES := $(shell find data -name '*.yml')
# WarningSignNet learns from these (config.yml); Rasa fingerprints it by its configuration only.
NET_CORPORA := $(wildcard tests/corpora/warning_signs_dev*.yml) tests/red_flag_cases.yml
# The project's trainable components; Rasa's cache knows their configuration, not their code.
TRAINED_CODE := components/topic_ranker.py components/sentence_encoder.py components/warning_sign_net.py \
  components/response_text_remover.py

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore::DeprecationWarning
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install build train chat serve scale-out slack web web-deps bench bench-scale-out eval actions validate lint format test test-unit test-stories test-e2e e2e-deps clean

help:
	@echo "make chat   - set everything up and chat on the command line"
	@echo "make serve  - action server + Rasa HTTP API on port $(PORT) (REST channel)"
	@echo "make web    - the web chat page on port $(WEB_PORT), talking to Rasa on port $(PORT)"
	@echo "make slack  - action server + Rasa without its HTTP API, for Slack (needs SLACK_* variables)"
	@echo "make scale-out - two Rasa servers on PostgreSQL + Redis behind nginx (needs DB_* and REDIS_*)"
	@echo "make test   - every check: lint, data validation, unit, conversation and end-to-end tests"
	@echo "make train  - (re)train the model when data or config changed"
	@echo "make bench  - load benchmark through the REST channel (prints numbers)"
	@echo "make eval   - project vs Rasa's default configuration: NLU, topics, warning signs (results/)"

$(BIN)/.installed: requirements.txt requirements-dev.txt requirements-encoder.txt constraints.txt
	test -x $(PY) || $$(scripts/find_python310.sh) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==24.0"
	# --no-compile: byte-compiling all of TensorFlow at install costs a minute; Python compiles what it imports.
	$(BIN)/pip install --quiet --no-compile -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-compile --no-deps -r requirements-encoder.txt
	touch $@

install: $(BIN)/.installed

$(SPACY_PIPELINE)/meta.json: catalogue/topics.yml scripts/build_spacy_pipeline.py knowledge/catalogue.py $(BIN)/.installed
	$(PY) scripts/build_spacy_pipeline.py $(SPACY_PIPELINE)

$(GENERATED_RESPONSES): catalogue/topics.yml catalogue/red_flags.yml domain.yml scripts/generate_responses.py knowledge/catalogue.py knowledge/topic_messages.py knowledge/red_flags.py knowledge/responses.py $(BIN)/.installed
	$(PY) scripts/generate_responses.py $@

$(WEB_MESSAGES): domain.yml scripts/generate_web_messages.py knowledge/responses.py $(BIN)/.installed
	$(PY) scripts/generate_web_messages.py $@

build: $(SPACY_PIPELINE)/meta.json $(GENERATED_RESPONSES) $(WEB_MESSAGES)

# Rasa fingerprints SpacyNLP by its path only, so a rebuilt pipeline, new net corpora or a trainable component's new
# code needs --force; otherwise Rasa's cache retrains only what changed. The other components and the warning-sign
# catalogue (signs, context, answers) are read when the server starts, so they need no retraining.
# --skip-validation: `make validate` checks the same data more strictly (warnings fail it); `make test` runs it
# beside training, and Rasa's own check would add 9 s to every training.
$(MODEL): config.yml domain.yml $(DATA_FILES) $(GENERATED_RESPONSES) $(SPACY_PIPELINE)/meta.json $(NET_CORPORA) $(TRAINED_CODE)
	@mkdir -p build; echo "Training the model (about 80 s on 2 cores; the log is build/train.log) ..."
	@$(RASA) train --data $(TRAINING_DATA) --augmentation 0 --skip-validation --fixed-model-name neck-pain-assistant \
	  --out models \
	  $(if $(filter $(SPACY_PIPELINE)/meta.json $(NET_CORPORA) $(TRAINED_CODE),$?),--force) > build/train.log 2>&1 \
	  || { tail -n 40 build/train.log; echo "Training failed; the whole log is build/train.log."; exit 1; }

train: $(MODEL)

actions: $(BIN)/.installed
	$(ACTION_SERVER)

# The command-line chat (scripts/chat.py, docs/console-chat.md) through the REST channel; both servers log
# to build/ and stop when the chat ends. CONVERSATION_ID=<id> continues a conversation.
chat: $(MODEL)
	@mkdir -p build
	@$(ACTION_SERVER) > build/action-server.log 2>&1 & actions_pid=$$!; \
	  $(RASA_SERVER) run --model $(MODEL) --endpoints endpoints.yml --credentials credentials.yml --port $(PORT) \
	    > build/rasa-server.log 2>&1 & rasa_pid=$$!; \
	  trap "kill $$actions_pid $$rasa_pid 2>/dev/null" EXIT INT TERM; \
	  $(PY) scripts/chat.py --url http://localhost:$(PORT) --wait 300 --server-pid $$rasa_pid \
	    --server-log build/rasa-server.log

# Rasa's HTTP API can read every conversation, so it answers only with a token: RASA_AUTH_TOKEN, or one
# generated for this run and printed once.
API_TOKEN = token="$${RASA_AUTH_TOKEN:-}"; \
	  if [ -z "$$token" ]; then token=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(24))'); \
	    echo "RASA_AUTH_TOKEN is not set; the HTTP API token of this run is: $$token"; fi

serve: $(MODEL)
	@$(API_TOKEN); \
	  $(ACTION_SERVER) & \
	  actions_pid=$$!; trap "kill $$actions_pid 2>/dev/null" EXIT INT TERM; \
	  $(RASA_SERVER) run --enable-api --auth-token="$$token" --model $(MODEL) --endpoints endpoints.yml \
	    --credentials credentials.yml --port $(PORT)

# rasa-webchat, pinned in web/package-lock.json and served from web/node_modules (no CDN).
$(WEBCHAT): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web-deps: $(WEBCHAT)

web: $(MODEL) $(WEBCHAT) $(WEB_MESSAGES)
	@$(ACTION_SERVER) > build/action-server.log 2>&1 & actions_pid=$$!; \
	  $(PY) -m http.server $(WEB_PORT) --bind 127.0.0.1 --directory web > build/web-server.log 2>&1 & web_pid=$$!; \
	  trap "kill $$actions_pid $$web_pid 2>/dev/null" EXIT INT TERM; \
	  echo; echo "  Open http://localhost:$(WEB_PORT)/?server=http://localhost:$(PORT) once Rasa says it is up."; echo; \
	  $(RASA_SERVER) run --model $(MODEL) --endpoints endpoints.yml --credentials credentials.yml --port $(PORT) \
	    --cors $(CORS_ORIGINS)

# For Slack: the webhook is exposed through a tunnel, so Rasa's HTTP API stays off.
slack: $(MODEL)
	@test -n "$$SLACK_BOT_TOKEN" -a -n "$$SLACK_SIGNING_SECRET" || \
	  { echo "Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET first (see docs/slack.md)."; exit 1; }
	@$(ACTION_SERVER) > build/action-server.log 2>&1 & \
	  actions_pid=$$!; trap "kill $$actions_pid 2>/dev/null" EXIT INT TERM; \
	  $(RASA_SERVER) run --model $(MODEL) --endpoints endpoints.yml --credentials credentials.yml --port $(PORT)

# Scale-out on one machine (docs/scale-out.md): the action server, two Rasa servers (ports 5006 and
# 5007) sharing PostgreSQL and Redis named by DB_* and REDIS_* in the environment, nginx in front
# (deploy/nginx.conf) on port 5005.
SCALE_OUT_VARIABLES := DB_HOST DB_PORT DB_DATABASE DB_USER DB_PASSWORD REDIS_HOST REDIS_PORT REDIS_DB REDIS_PASSWORD
scale-out: $(MODEL)
	@for name in $(SCALE_OUT_VARIABLES); do printenv $$name >/dev/null || missing="$$missing $$name"; done; \
	  test -z "$$missing" || { echo "Set$$missing first (docs/scale-out.md; empty passwords are allowed)."; exit 1; }
	@mkdir -p build/nginx/logs
	@$(API_TOKEN); export ACTION_SERVER_URL=http://localhost:$(ACTIONS_PORT)/webhook; \
	  $(ACTION_SERVER) > build/action-server.log 2>&1 & actions_pid=$$!; \
	  $(RASA_SERVER) run --enable-api --auth-token="$$token" --model $(MODEL) --endpoints endpoints.scale-out.yml \
	    --credentials credentials.yml --port 5006 > build/rasa-5006.log 2>&1 & first_pid=$$!; \
	  $(RASA_SERVER) run --enable-api --auth-token="$$token" --model $(MODEL) --endpoints endpoints.scale-out.yml \
	    --credentials credentials.yml --port 5007 > build/rasa-5007.log 2>&1 & second_pid=$$!; \
	  trap "kill $$actions_pid $$first_pid $$second_pid 2>/dev/null" EXIT INT TERM; \
	  echo "Rasa servers log to build/rasa-5006.log and build/rasa-5007.log; nginx listens on http://localhost:5005"; \
	  nginx -p $(CURDIR)/build/nginx/ -c $(CURDIR)/deploy/nginx.conf -e logs/error.log -g "daemon off;"

# Both compare the project's configuration with Rasa's default one, trained from scratch on the same
# data (build/compare/). COMPARE_ARGS=--reuse-models skips training and reports the recorded times.
COMPARE_ARGS ?=

# NLU reports, topics through the server, warning signs, doctor prompts (results/eval.*).
eval: build
	$(PY) scripts/evaluate.py $(COMPARE_ARGS)

# Load benchmark through the REST channel: numbers printed and written to results/bench.*, not asserted.
bench: build
	$(PY) scripts/bench.py --users 20 --rounds 3 $(COMPARE_ARGS)

# The scale-out profile: one vs two Rasa servers on private PostgreSQL and Redis, behind nginx.
bench-scale-out: $(MODEL)
	$(PY) scripts/bench.py --scale-out --model $(MODEL) --users 20 --rounds 3

validate: build
	$(PY) scripts/validate_data.py --data $(TRAINING_DATA) --domain domain.yml --config config.yml --fail-on-warnings

lint: $(BIN)/.installed
	$(BIN)/ruff check actions channels components knowledge evaluation scripts tests
	$(BIN)/ruff format --check actions channels components knowledge evaluation scripts tests

format: $(BIN)/.installed
	$(BIN)/ruff format actions channels components knowledge evaluation scripts tests
	$(BIN)/ruff check --fix actions channels components knowledge evaluation scripts tests

test-unit: build
	$(BIN)/pytest -q -rs tests --ignore=tests/e2e

test-stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors --out results/stories

# What the end-to-end tests need from outside PyPI: Debian's Chromium and nginx, the web chat's npm packages.
e2e-deps: $(WEBCHAT) $(WEB_MESSAGES)
	@scripts/test_prerequisites.sh

test-e2e: $(MODEL) e2e-deps
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=10 tests/e2e

# Training uses both cores; lint and validation are short, and the end-to-end tests' downloads (apt, npm) wait
# on the network, so they run beside it. The end-to-end tests mostly wait on servers (two pytest workers, a
# server stack each), so the unit and conversation tests run beside them. Measured on a clean clone:
# docs/testing.md.
test: build
	@$(MAKE) --no-print-directory -j4 --output-sync=target lint validate train e2e-deps
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-unit test-stories test-e2e

clean:
	rm -rf build models results .rasa
