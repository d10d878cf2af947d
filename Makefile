# One command surface: what the README shows and what CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup sync test lint bench template demo clean

setup: $(STAMP)

# Re-install only when the project's dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# With tonghop.toml: that configuration. Without: the bundled demo district in demo/, whose
# config writes to out/ (the same folder `tonghop remind/doctor --config demo/tonghop.toml` read).
sync: setup
	@if [ -f tonghop.toml ] || [ -n "$$TONGHOP_CONFIG" ]; then \
		$(BIN)/tonghop sync; \
	else \
		test -f demo/tonghop.toml || $(BIN)/tonghop demo --dir demo --out-dir out; \
		$(BIN)/tonghop sync --config demo/tonghop.toml --as-of 2023-03-25T09:00:00+07:00; \
	fi

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check sheets_schema sync jobs tests
	$(BIN)/ruff format --check sheets_schema sync jobs tests
	$(BIN)/mypy
	$(BIN)/mypy --platform win32

bench: setup
	$(BIN)/python -m jobs.commands.bench

template: setup
	$(BIN)/tonghop template --out out/mau-bao-cao.xlsx

# The demo's config sends its outputs to out/ (as "../out"): sync, remind and doctor agree.
demo: setup
	$(BIN)/tonghop demo --dir demo --out-dir out

clean:
	rm -rf out state demo .pytest_cache .mypy_cache .ruff_cache
