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

# Bytecode of our own modules, renewed when they change: pip compiles what it installs but
# not an editable install's sources, and where PYTHONDONTWRITEBYTECODE is set (CI here)
# every `monitor` process and its fork server compiled them again (75 ms each).
$(VENV)/.bytecode: $(BIN)/monitor $(wildcard monitor/*.py spiders/*.py)
	$(BIN)/python -m compileall -q monitor spiders
	touch $@

demo: $(VENV)/.bytecode
	$(BIN)/monitor demo

test: $(VENV)/.bytecode
	$(BIN)/python -m pytest

bench: $(VENV)/.bytecode
	$(BIN)/python bench/pipeline.py

# the daemon every second for 10 minutes: RSS and descriptors over time (MINUTES=2 for a short one)
soak: $(VENV)/.bytecode
	$(BIN)/python bench/soak.py --minutes $(or $(MINUTES),10)

mirror: $(BIN)/monitor
	$(BIN)/python seeds/build_mirror.py

clean:
	rm -rf $(VENV) *.egg-info
