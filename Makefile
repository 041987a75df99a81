# The two quick-start commands: `make run` and `make test`.
# Each creates its own virtual environment in .venv with the Python it finds.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: run test test-fast test-js qgis-venv lint typecheck pytest bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Install siteplan (a real, non-editable install) and run its main job on the
# bundled SIMZ study, writing to out/.
run: $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	$(BIN)/siteplan validate -o $(OUT)/validate.txt
	$(BIN)/siteplan report -o $(OUT)/report.md
	$(BIN)/siteplan report -o $(OUT)/report.json
	$(BIN)/siteplan report -o $(OUT)/report.html
	$(BIN)/siteplan map --offline -o $(OUT)/map.html
	$(BIN)/siteplan export -o $(OUT)/simz.gpkg
	$(BIN)/siteplan candidates -o $(OUT)/candidates.md --map $(OUT)/candidates.html --offline
	$(BIN)/siteplan report --measure time --mode walk -o $(OUT)/report_walk.md
	$(BIN)/siteplan map --measure time --mode walk --offline -o $(OUT)/map_walk.html
	@echo "wrote $(OUT)/: report.md report.json report.html map.html simz.gpkg candidates.md candidates.html report_walk.md map_walk.html validate.txt"

# Install the test dependencies and run the whole suite: ruff, mypy, pytest.
test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(MAKE) qgis-venv lint typecheck pytest

# PyQGIS runs only under Debian's /usr/bin/python3: where it imports qgis, build
# .venv-qgis from it (system site packages, siteplan's dependencies, numpy<2 for
# Debian's GDAL and scipy) so that tests/test_qgis.py runs with no network.
QGIS_PYTHON ?= /usr/bin/python3
QGIS_VENV   ?= .venv-qgis
qgis-venv:
	@if $(QGIS_PYTHON) -c "import qgis.core" >/dev/null 2>&1; then \
	    if [ ! -f $(QGIS_VENV)/pyproject.stamp ] || ! cmp -s pyproject.toml $(QGIS_VENV)/pyproject.stamp; then \
	        rm -rf $(QGIS_VENV) && \
	        $(QGIS_PYTHON) -m venv --system-site-packages $(QGIS_VENV) && \
	        $(QGIS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check . 'numpy<2' && \
	        cp pyproject.toml $(QGIS_VENV)/pyproject.stamp; \
	    fi; \
	else echo "qgis-venv: $(QGIS_PYTHON) cannot import qgis; the QGIS tests will skip"; fi

# For development: the same checks without the tests marked slow or browser.
test-fast: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(MAKE) lint typecheck
	$(BIN)/python -m pytest -m "not slow and not browser"

lint:
	$(BIN)/ruff check src tests benchmarks notebooks geodata qgis_plugin
	$(BIN)/ruff format --check src tests benchmarks geodata qgis_plugin
	$(BIN)/lint-imports --no-cache

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/python -m pytest

# Build the documentation site into site/ (strict: warnings are errors).
docs: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m sphinx -b html -W --keep-going docs site

# The page's JavaScript unit tests alone (also run by pytest, through tests/test_js.py).
# make expands the file names: node 18 takes no test globs.
test-js:
	for f in src/siteplan/maps/static/*.js; do node --check $$f || exit 1; done
	node --test $(wildcard tests/js/*.test.js)

bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(QGIS_VENV) $(OUT) site docs/generated docs/notebooks/_generated dist build .pytest_cache .mypy_cache .ruff_cache
