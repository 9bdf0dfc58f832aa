# Code Runner: `make demo` runs everything with demo users and problems; `make test`
# runs all tests. Both install what is missing first.
SHELL := /bin/bash
STATE ?= $(CURDIR)/.state
VENV ?= $(CURDIR)/.venv
PY := $(VENV)/bin/python
CHP := $(STATE)/chp/node_modules/.bin/configurable-http-proxy
PYTEST_ARGS ?=

.PHONY: demo down test unit lint image host host-browser venv proxy bench clean

demo: host venv proxy image
	$(PY) -m hub_config.devstack up --state $(STATE)

down:
	@if [ -x $(PY) ]; then $(PY) -m hub_config.devstack down --state $(STATE); fi

test: host-browser venv proxy image lint
	$(PY) -m pytest $(PYTEST_ARGS)

unit: venv
	$(PY) -m pytest -m "not integration" $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

host:
	@bash hub_config/host-setup.sh $(STATE)

host-browser:
	@bash hub_config/host-setup.sh $(STATE) --browser

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

proxy: $(CHP)

$(CHP):
	npm install --silent --no-audit --no-fund --prefix $(STATE)/chp configurable-http-proxy@5

image: host venv
	@PYTHON=$(PY) bash sandbox_kernel_image/build.sh $(STATE)

bench: host venv image
	$(PY) -m grading_service bench --out $(STATE)/bench.json $(BENCH_ARGS)

clean: down
	rm -rf $(STATE) $(VENV)
