# Every target builds .venv itself, so a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint fmt clean browser messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/memberdesk demo

# SQLite always; the same suite on PostgreSQL too when MEMBERDESK_TEST_DATABASE_URL is set.
# Two pytest processes (TEST_JOBS), a test file each at a time: much of a test's time is
# waiting (live servers, the browser, PostgreSQL), so two overlap well even on two cores.
TEST_JOBS ?= 2
test: $(STAMP) browser
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile $(PYTEST_ARGS)

# Browser tests drive Debian's chromium; install it when we can (root with apt), else they skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) \
	  || echo "chromium not installed: browser tests will be skipped"; }

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	@set -e; for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy memberdesk

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# New words of the member portal into the Spanish catalogue, for a translator to fill in.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --project memberdesk -o $(VENV)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d memberdesk/locale -l es --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info
