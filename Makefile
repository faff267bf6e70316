# The README's two commands: `make serve` (build the dataset and serve it over HTTP) and `make test`.
# `make run` builds and prints a summary of the graph without serving it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve run test browser virtuoso clean

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

# The remote-store tests (tests/servers.py) run Debian's Virtuoso on loopback with a generated password;
# install it when missing. Debian's own service would listen on every interface with dba/dba: a
# policy-rc.d (when the machine has none) keeps the package from starting it; it is then stopped (in case
# an existing policy let it start) and disabled at boot.
VIRTUOSO ?= virtuoso-t
POLICY_RC := /usr/sbin/policy-rc.d
virtuoso:
	@if ! command -v $(VIRTUOSO) >/dev/null 2>&1; then \
		if ! command -v apt-get >/dev/null 2>&1 || [ "$$(id -u)" != 0 ]; then \
			echo "warning: $(VIRTUOSO) missing; install Virtuoso 7 (Debian: apt-get install virtuoso-opensource)" \
				"as root, or the Virtuoso tests fail" >&2; \
		else \
			set -e; \
			if [ ! -e $(POLICY_RC) ]; then \
				trap 'rm -f $(POLICY_RC)' EXIT; \
				printf '#!/bin/sh\n# no service starts while make installs packages\nexit 101\n' > $(POLICY_RC); \
				chmod 755 $(POLICY_RC); \
			fi; \
			apt-get update; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends virtuoso-opensource; \
			/etc/init.d/virtuoso-opensource-7 stop >/dev/null 2>&1 || true; \
			update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true; \
			if [ -d /run/systemd/system ]; then systemctl disable virtuoso-opensource-7 >/dev/null 2>&1 || true; fi; \
		fi; \
	fi

test: $(STAMP) browser virtuoso
	$(BIN)/ruff check .
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
