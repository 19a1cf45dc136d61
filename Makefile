# The two commands of the README: `make demo` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# pytest-xdist workers for `make test` (0: one process, no xdist); files are kept whole on a worker (loadfile),
# so a module's servers start once. Three on two cores: a test spends much of its time waiting (a page, a
# retry's back-off, a login window), and a third worker computes meanwhile (docs/contributing.md, "Speed").
TEST_WORKERS ?= 3
XDIST := -n $(TEST_WORKERS) --dist loadfile
# pytest keeps its assertion-rewritten test modules in __pycache__ unless PYTHONDONTWRITEBYTECODE is set (as it
# is in some containers): then every worker of every pass rewrites all of them again, about 3 s of CPU each.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

.PHONY: install demo fleet-demo test test-fast lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,mock]'
	bash scripts/ensure-chromium.sh $(BIN)/python
	touch $@

demo: install
	PATH="$(abspath $(BIN)):$$PATH" bash scripts/demo.sh

# 20 stores with faults on (HTTP 500s, expiring sessions, a wrong password, a changed UI): plan, apply, plan;
# then a drift made in one store is found and corrected; ends with its history and the fleet status.
fleet-demo: install
	PATH="$(abspath $(BIN)):$$PATH" bash scripts/fleet-demo.sh

# ruff, and the import contracts of docs/architecture.md (pyproject.toml [tool.importlinter])
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test: install
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-xvfb.sh
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(PYTEST) -q $(XDIST) --durations=25
	# The date-sensitive tests (marker `clock`: breach, alerts, history and status, locks, the session folder,
	# saved plans, the mock's TOTP) once more with the clock two years ahead (time-machine, tests/conftest.py):
	# a test that pairs a fixed date with the real clock, or code that reads the time past ecom_privacy/clock.py,
	# fails here rather than on the day the date comes (issue #25).
	$(PYTEST) -q $(XDIST) -m clock --clock-shift-days 730

# The quick loop while you work: every test that needs no browser or mock server, no PostgreSQL, no Xvfb and
# starts no process (markers of tests/suite_marks.py): tests/unit, tests/corpus, the mock's Flask-level tests,
# and the SQLite side of db/history/alerts/breach. Not a substitute for `make test`.
test-fast: install
	$(PYTEST) -q $(XDIST) -m "not browser and not postgres and not xvfb and not subprocess"

# The fleet benchmark (a script that measures, never a timed test): 100 stores, 100 ms latency by default.
# Quick look: make bench BENCH_ARGS="--stores 10 --parallelism 4 --no-naive"
bench: install
	$(BIN)/python -m benchmarks.fleet $(BENCH_ARGS)

clean:
	rm -rf $(VENV) runs demo .pytest_cache
