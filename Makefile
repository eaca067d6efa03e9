# Two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test venv dev-venv migrate bench lock clean

# The stamp files make re-runs instant while the lock is unchanged.
$(BIN)/.installed: requirements.lock pyproject.toml build-requirements.in
	$(PYTHON) -m venv $(VENV)
	# The stock pip (23.x) skips lxml_html_clean, which trafilatura needs.
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24.2"
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.lock requirements-reference.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-reference.lock
	touch $@

venv: $(BIN)/.installed
dev-venv: $(BIN)/.installed-dev

migrate: venv
	$(BIN)/newsloom db upgrade

run: migrate
	$(BIN)/newsloom feeds import --starter --if-never-seeded
	$(BIN)/newsloom serve --host $(HOST) --port $(PORT)

# The suite on two processes, then the crash tests alone (they start five processes of their
# own). Exit status 5 means PYTEST_ARGS selected none of that part's tests.
test: dev-venv
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not crash" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -m crash $(PYTEST_ARGS) || [ $$? -eq 5 ]

bench: dev-venv
	$(BIN)/python bench/ingest.py

# Regenerate the pinned locks after editing pyproject.toml (needs uv).
lock:
	uv pip compile pyproject.toml build-requirements.in --python-version 3.11 --generate-hashes -o requirements.lock
	uv pip compile pyproject.toml build-requirements.in --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache
