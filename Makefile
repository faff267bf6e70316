# The README's two commands: `make serve` (build the dataset and serve it over HTTP) and `make test`.
# `make run` builds and prints a summary of the graph without serving it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve run test browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install whenever pyproject.toml changes (the stamp is older than it).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/itsm-prm serve $(SERVE_ARGS)

run: $(STAMP)
	$(BIN)/itsm-prm build
	$(BIN)/itsm-prm info

# The browser test (tests/e2e/test_query_page.py) drives Debian's Chromium through Playwright;
# install it when missing (CI runs as root). Playwright's own browser downloads are not used.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
