# The two commands of the README:
#   make demo   generate, validate and render the example study
#   make test   run the whole test suite
# Both create .venv on first use and install the package into it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install templates clean-reports

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/mss-eval demo

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

# Regenerate the blank templates and the example study shipped in data_templates/.
templates: $(STAMP)
	$(BIN)/mss-eval template --out data_templates/templates_xlsx --format xlsx
	$(BIN)/mss-eval template --out data_templates/templates_csv --format csv
	$(BIN)/mss-eval demo --generate --force --no-render

clean-reports:
	rm -rf reports/example_study
