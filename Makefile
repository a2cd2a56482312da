# FlowDeck: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-slow bench clean

$(BIN)/flowdeck: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/flowdeck
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: $(BIN)/flowdeck
	$(BIN)/flowdeck $(ARGS)

# The default run leaves out tests marked slow (the soak); `make test-slow` runs only those,
# `make test PYTEST_ARGS='-m ""'` runs everything.
test: $(VENV)/.test-extras
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m "not slow" $(PYTEST_ARGS)

test-slow: $(VENV)/.test-extras
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m slow $(PYTEST_ARGS)

bench: $(VENV)/.test-extras
	$(BIN)/python tests/perf/bench_engine.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
