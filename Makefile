# Code Runner: `make demo` runs everything with demo users and problems; `make test`
# runs all tests. Both install what is missing first.
SHELL := /bin/bash
STATE ?= $(CURDIR)/.state
VENV ?= $(CURDIR)/.venv
PY := $(VENV)/bin/python
CHP := $(STATE)/chp/node_modules/.bin/configurable-http-proxy
PYTEST_ARGS ?=
NODE_MODULES := labextension/node_modules/.package-lock.json

.PHONY: demo down test unit lint lint-ts test-ts image host host-browser venv proxy bench loadtest clean

demo: host venv proxy image
	$(PY) -m hub_config.devstack up --state $(STATE)

down:
	@if [ -x $(PY) ]; then $(PY) -m hub_config.devstack down --state $(STATE); fi

test: host-browser venv proxy image lint test-ts
	$(PY) -m pytest $(PYTEST_ARGS)

# Fast tests only: no Docker, Redis, MongoDB server or JupyterHub needed.
unit: venv test-ts
	$(PY) -m pytest -m "not integration" $(PYTEST_ARGS)

lint: venv lint-ts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The front end: eslint + prettier, and jest for its pure functions.
lint-ts: $(NODE_MODULES)
	cd labextension && npm run --silent lint:check

test-ts: $(NODE_MODULES)
	cd labextension && npm test --silent

$(NODE_MODULES): labextension/package-lock.json
	cd labextension && npm ci --silent --no-audit --no-fund
	touch $@

host:
	@bash hub_config/host-setup.sh $(STATE)

host-browser:
	@bash hub_config/host-setup.sh $(STATE) --browser

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	# 0.7 s at every start of the service and the CLI; see sandbox_kernel_image/Dockerfile
	$(VENV)/bin/pip uninstall --quiet --yes rfc3987-syntax
	touch $@

proxy: $(CHP)

$(CHP):
	npm install --silent --no-audit --no-fund --prefix $(STATE)/chp configurable-http-proxy@5

image: host venv
	@PYTHON=$(PY) bash sandbox_kernel_image/build.sh $(STATE)

bench: host venv image
	$(PY) -m tests.bench --out $(STATE)/bench.json $(BENCH_ARGS)
	$(PY) -m tests.bench runtimes --out $(STATE)/bench-runtimes.json

# A class of 60 learners arriving at once through the hub, a spike, 500 API-only
# learners and a minute at 3x, on a platform of its own on loopback ports; then every
# accepted submission is checked for exactly one verdict. Scale with LOADTEST_ARGS, e.g.
# LOADTEST_ARGS="--learners 100 --api-users 1000" (python -m tests.load --help).
loadtest: host venv proxy image
	$(PY) -m tests.load --state $(STATE) --out $(STATE)/loadtest.json $(LOADTEST_ARGS)

clean: down
	rm -rf $(STATE) $(VENV)
