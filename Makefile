# Quick start: `make demo` writes out/demo_report.{html,json}, out/pricing_report.* and out/filings/;
# `make test` runs the whole suite (tests, doctests, lint, type check).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/szai-audit demo --out out

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest
	$(MAKE) lint

# The inner loop while developing: every test and doctest but those marked slow (end-to-end
# runs, simulations, audits at the sizes their numbers rest on); no lint. See docs/development.md.
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not slow"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check szai_audit tests benchmarks examples
	$(BIN)/ruff format --check szai_audit tests benchmarks examples
	$(BIN)/mypy szai_audit
	$(BIN)/lint-imports

docs: $(VENV)/.installed-test
	$(BIN)/mkdocs build --strict

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_fairness.py

clean:
	rm -rf $(VENV) out build dist site .pytest_cache .mypy_cache .ruff_cache
