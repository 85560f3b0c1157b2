PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint validate bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gigacluster plan prometheus --out out/prometheus

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/gigacluster
	$(BIN)/pytest

validate: $(STAMP)
	$(BIN)/gigacluster validate training

bench: $(STAMP)
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
