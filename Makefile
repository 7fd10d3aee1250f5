# Waypost's developer commands; CI runs the same ones (.ci/run -> make test).
SHELL := /bin/bash
PY := .venv/bin/python
# uv from PATH, else a private copy bootstrapped into .tools/ (no system packages touched).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

.PHONY: install run test lint format typecheck pytest bench gen clean

install: .venv/.installed

.venv/.installed: pyproject.toml uv.lock
	@test -x "$(UV)" || command -v uv >/dev/null 2>&1 || (python3 -m venv .tools && .tools/bin/pip install --quiet uv)
	$(UV) sync --frozen --all-extras --quiet
	@touch $@

run: install
	$(PY) examples/run_examples.py
	.venv/bin/waypost up

lint: install
	.venv/bin/ruff check src tests benchmarks examples scripts
	.venv/bin/ruff format --check src tests benchmarks examples scripts
	.venv/bin/lint-imports

format: install
	.venv/bin/ruff check --fix src tests benchmarks examples scripts
	.venv/bin/ruff format src tests benchmarks examples scripts

typecheck: install
	.venv/bin/mypy

pytest: install
	$(PY) -m pytest -n 2 --dist loadfile -q

test: lint typecheck pytest

bench: install
	$(PY) benchmarks/run.py

clean:
	rm -rf .venv .tools .mypy_cache .pytest_cache .ruff_cache
