# `make demo` and `make test` work on a fresh machine with only Python 3.11+:
# the first use creates .venv and installs the project into it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench soak clean mirror

$(BIN)/monitor: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo: $(BIN)/monitor
	$(BIN)/monitor demo

test: $(BIN)/monitor
	$(BIN)/python -m pytest

bench: $(BIN)/monitor
	$(BIN)/python bench/pipeline.py

# the daemon every second for 10 minutes: RSS and descriptors over time (MINUTES=2 for a short one)
soak: $(BIN)/monitor
	$(BIN)/python bench/soak.py --minutes $(or $(MINUTES),10)

mirror: $(BIN)/monitor
	$(BIN)/python seeds/build_mirror.py

clean:
	rm -rf $(VENV) *.egg-info
