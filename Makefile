# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck install serve demo bench catalogs clean

# pip's and setuptools' chatter goes to .venv/install.log, shown only when it fails.
$(STAMP): pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing into $(VENV) (a few minutes the first time; log: $(VENV)/install.log)"
	@( $(PY) -m pip install --quiet --upgrade pip \
	  && $(PY) -m pip install --quiet -e '.[test]' ) > $(VENV)/install.log 2>&1 \
	  || { cat $(VENV)/install.log; exit 1; }
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/matchmaker serve --demo --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(VENV)/bin/ruff check matchmaker solver tooling tests
	$(VENV)/bin/mypy matchmaker solver tooling
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -p no:cacheprovider

bench: $(STAMP)
	$(PY) -m tooling solver-bench

# All msgids into one template, for reference (babel.cfg patterns are relative to "."). Each
# feature keeps its own matchmaker/translations/vi/LC_MESSAGES/<feature>.po; the unit test
# tests/unit/test_catalogs.py lists every msgid still missing a Vietnamese translation.
catalogs: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k gettext_for:2 -o matchmaker/translations/messages.pot --no-location --sort-output .
	$(PY) -m pytest -q -p no:cacheprovider tests/unit/test_catalogs.py

clean:
	rm -rf $(VENV) build *.egg-info
