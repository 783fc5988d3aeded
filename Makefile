# The two commands of the README: `make run` and `make test`. Everything else is for developers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test bench lint clean-var

# The virtual environment alone: the project and its test tools.
install: $(STAMP)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Embedded PostgreSQL + Redis (or DATABASE_URL / REDIS_URL), migrate, reference and demo data
# once, then web + Celery worker + Celery beat in the foreground until Ctrl-C.
run: install
	$(BIN)/python manage.py serve

# The whole suite against real PostgreSQL and Redis (embedded unless the URLs are set).
test: install
	$(BIN)/python -m pytest $(ARGS)

# Benchmarks: prints `BENCH <name> <value> <unit>` lines; figures go to docs/benchmarks.md.
bench: install
	$(BIN)/python manage.py bench $(ARGS)

lint: install
	$(BIN)/ruff check cur appeals municipalities ratings heatmap structuring tests

# Drop all local data (database, broker, demo): the next `make run` starts from scratch.
clean-var:
	rm -rf var
