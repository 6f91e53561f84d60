# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck install serve demo bench catalogs clean

$(STAMP): pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/matchmaker serve --demo

test: $(STAMP)
	$(VENV)/bin/ruff check matchmaker solver tests
	$(VENV)/bin/mypy matchmaker solver
	$(PY) -m pytest -p no:cacheprovider

bench: $(STAMP)
	$(PY) -m solver bench

catalogs: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -o matchmaker/translations/messages.pot --no-location --sort-output matchmaker templates
	$(VENV)/bin/pybabel update -i matchmaker/translations/messages.pot -d matchmaker/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) build *.egg-info
