# The two commands that matter: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The suite runs twice: on the embedded defaults (SQLite, filesystem broker)
# and on the production stack (PostgreSQL, Redis), reached at these URLs.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cdauth
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run test test-embedded test-production chromium lint

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py runlocal

# The browser tests drive Debian's Chromium (Playwright's own download does
# not work offline); the CJK fonts make their Chinese screenshots readable.
chromium:
	@{ command -v chromium && dpkg -s fonts-noto-cjk; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium and CJK fonts for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

test: install chromium test-embedded test-production

test-embedded: install
	$(BIN)/python -m pytest

test-production: install
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	  $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
