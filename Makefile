# Waypost's developer commands; CI runs the same ones (.ci/run -> make test).
SHELL := /bin/bash
PY := .venv/bin/python
# uv from PATH, else a private copy bootstrapped into .tools/ (no system packages touched).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

.PHONY: install run test test-legacy lint format typecheck pytest bench gen dashboard dashboard-test wheel clean

install: .venv/.installed

.venv/.installed: pyproject.toml uv.lock
	@test -x "$(UV)" || command -v uv >/dev/null 2>&1 || (python3 -m venv .tools && .tools/bin/pip install --quiet uv)
	$(UV) sync --frozen --all-extras --compile-bytecode --quiet
	@touch $@

run: install dashboard
	$(PY) examples/run_examples.py
	.venv/bin/waypost up

# The web dashboard (Node >= 20.19): rebuilt only when its lockfile or sources change or dist/ is missing.
DASHBOARD_SRC := $(shell find dashboard/src dashboard/scripts dashboard/public dashboard/index.html dashboard/package.json dashboard/vite.config.ts dashboard/tsconfig.json -type f 2>/dev/null)

dashboard: dashboard/dist/index.html

dashboard/node_modules/.package-lock.json: dashboard/package-lock.json
	cd dashboard && npm ci --no-audit --no-fund
	@touch $@

dashboard/dist/index.html: dashboard/node_modules/.package-lock.json $(DASHBOARD_SRC)
	cd dashboard && npm run build

# Type checks, ESLint and Vitest; fails when the committed API types differ from what `make gen` writes.
dashboard-test: install dashboard/node_modules/.package-lock.json
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(PY) scripts/gen_openapi.py "$$tmp/openapi.json" >/dev/null && \
	  dashboard/node_modules/.bin/openapi-typescript "$$tmp/openapi.json" -o "$$tmp/schema.d.ts" >/dev/null 2>&1 && \
	  cmp -s "$$tmp/openapi.json" dashboard/openapi.json && cmp -s "$$tmp/schema.d.ts" dashboard/src/api/schema.d.ts || \
	  { echo "dashboard/openapi.json or src/api/schema.d.ts is stale: run 'make gen' and commit the result." >&2; exit 1; }
	cd dashboard && npx tsc && npx eslint . && npx vitest run

# Regenerate the API types: the server's OpenAPI schema (no server needed), then openapi-typescript.
gen: install dashboard/node_modules/.package-lock.json
	$(PY) scripts/gen_openapi.py dashboard/openapi.json
	$(PY) scripts/gen_flavor_fixture.py dashboard/src/features/stacks/flavors.fixture.json
	cd dashboard && npx openapi-typescript openapi.json -o src/api/schema.d.ts

lint: install
	.venv/bin/ruff check src tests benchmarks examples scripts
	.venv/bin/ruff format --check src tests benchmarks examples scripts
	.venv/bin/lint-imports

format: install
	.venv/bin/ruff check --fix src tests benchmarks examples scripts
	.venv/bin/ruff format src tests benchmarks examples scripts

typecheck: install
	.venv/bin/mypy

pytest: install dashboard
	$(PY) -m pytest -n 2 --dist loadfile -q

test: lint typecheck dashboard-test pytest test-legacy

# Integrations whose package cannot live in the locked environment (whylogs 1.6 needs NumPy < 2,
# which also means pyarrow < 24 and pandas < 3), each tested against the real package in an
# isolated, throwaway uv environment (cached by uv, so a rerun takes seconds).
test-legacy:
	@test -x "$(UV)" || command -v uv >/dev/null 2>&1 || (python3 -m venv .tools && .tools/bin/pip install --quiet uv)
	$(UV) run --quiet --isolated --no-project --python 3.11 --with-editable '.[server]' \
	  --with 'whylogs==1.6.4' --with 'numpy<2' --with 'pandas<3' --with 'pyarrow<24' --with 'pytest>=8.2' \
	  python -m pytest tests/integrations_legacy -q -p no:cacheprovider

bench: install
	$(PY) benchmarks/run.py

# The wheel (dist/waypost-*.whl), carrying the dashboard build: `pip install "dist/waypost-….whl[server]"`.
wheel: dashboard
	@test -x "$(UV)" || command -v uv >/dev/null 2>&1 || (python3 -m venv .tools && .tools/bin/pip install --quiet uv)
	$(UV) build --wheel --out-dir dist

clean:
	rm -rf .venv .tools .mypy_cache .pytest_cache .ruff_cache
