# The two commands of the README:
#   make demo   generate, validate and render the example study
#   make test   run the whole test suite
#   make lab    start JupyterLab in notebooks/ on the project's kernel (.venv); LAB_ARGS adds
#               options, e.g. make lab LAB_ARGS="--no-browser --port 8890"
# Both create .venv on first use and install into it exactly the versions of requirements.lock
# (every file checked against its SHA-256), then the package itself without dependencies.
#   make lock           refresh requirements.lock after a dependency changed in pyproject.toml
#                       (keeps every pin that still fits; only new or changed packages move)
#   make lock-upgrade   move every pin to the newest release the bounds allow

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
# uv resolves the lock (fast, reads pyproject.toml, writes hashes); pip installs it
UV_VERSION := 0.13.9
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --extra dev --extra cluster --universal \
	--python-version 3.11 --generate-hashes --custom-compile-command 'make lock' --quiet \
	-o $(LOCK)

.PHONY: demo test install lab lock lock-upgrade templates clean-reports

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv==$(UV_VERSION)'

lock: $(BIN)/uv
	$(UV_COMPILE)

lock-upgrade: $(BIN)/uv
	$(UV_COMPILE) --upgrade

demo: $(STAMP)
	$(BIN)/mss-eval demo
	$(BIN)/mss-eval export data_templates/example_study --out reports/example_study/open_data

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadgroup

# JupyterLab from the virtualenv: its python3 kernel (installed by $(STAMP) into .venv) is the
# project's interpreter with mss_eval and exactly the locked packages
LAB_ARGS ?=
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

# Regenerate the blank templates and the example study shipped in data_templates/.
templates: $(STAMP)
	$(BIN)/mss-eval template --out data_templates/templates_xlsx --format xlsx
	$(BIN)/mss-eval template --out data_templates/templates_csv --format csv
	$(BIN)/mss-eval demo --generate --force --no-render

clean-reports:
	rm -rf reports/example_study
