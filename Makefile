# pressmon developer entry points. `make demo` and `make test` are the README's two commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test test-production eval eval-extract eval-classify eval-dedupe eval-events eval-realdata eval-metadata bench preview screenshots airflow production-local validate-compose clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-dev.txt -c constraints.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

setup: $(STAMP)

demo: setup
	$(BIN)/python scripts/demo.py

# The production test (PostgreSQL, Redis, Celery workers: minutes) has its own target.
test: setup
	$(BIN)/python -m pytest -q -m "not production"

test-production: setup
	$(BIN)/python -m pytest -q -m production tests/production

# Real pages and texts (../shared/realdata, outside the repository) first, pressmon beside the
# plain libraries; each real-data script says so and goes on when that folder is absent.
eval: eval-realdata eval-metadata eval-extract eval-classify eval-dedupe eval-events

eval-realdata: setup
	$(BIN)/python scripts/eval_realdata.py

eval-metadata: setup
	$(BIN)/python scripts/eval_metadata.py

eval-extract: setup
	$(BIN)/python scripts/eval_extraction.py

eval-classify: setup
	$(BIN)/python scripts/eval_classify.py

eval-dedupe: setup
	$(BIN)/python scripts/eval_dedupe.py

eval-events: setup
	$(BIN)/python scripts/eval_events.py

bench: setup
	$(BIN)/python scripts/bench.py

preview: setup
	$(BIN)/python scripts/preview_digest.py

screenshots: setup
	$(BIN)/python scripts/screenshots.py

airflow: setup
	$(BIN)/python scripts/airflow_local.py

production-local: setup
	$(BIN)/python scripts/production_local.py

validate-compose: setup
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yaml

clean:
	rm -rf data out build *.egg-info
