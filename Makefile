# pressmon developer entry points. `make demo` and `make test` are the README's two commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test eval eval-extract eval-classify eval-dedupe eval-events bench preview airflow validate-compose clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-dev.txt -c constraints.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

setup: $(STAMP)

demo: setup
	$(BIN)/python scripts/demo.py

test: setup
	$(BIN)/python -m pytest -q

eval: eval-extract eval-classify eval-dedupe eval-events

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

airflow: setup
	$(BIN)/python scripts/airflow_local.py

validate-compose: setup
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yaml

clean:
	rm -rf data out build *.egg-info
