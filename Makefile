PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint validate bench web screenshots clean

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

web: $(STAMP)
	$(BIN)/gigacluster web

# re-make docs/img/dashboard.png and dashboard-phone.png with the browser test
screenshots: $(STAMP)
	SAVE_SCREENSHOTS=1 $(BIN)/pytest tests/web/test_dashboard.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
