# Two commands: `make run` (demo on SQLite, scheduler inside, SMS to the log) and `make test`.
# Links in texts (/dev/sms) point at the port served, unless PUBLIC_BASE_URL is set.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install migrate seed bench-routing clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

run: install
	APP_ENV=$${APP_ENV:-development} $(BIN)/flask db upgrade
	APP_ENV=$${APP_ENV:-development} $(BIN)/flask seed demo
	APP_ENV=$${APP_ENV:-development} PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} \
		$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --no-reload

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench-routing: install
	$(BIN)/python bench/routing.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
