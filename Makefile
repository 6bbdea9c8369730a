# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# Both create .venv and install what is needed; a second call installs nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint soak clean browser

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# With TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN (in .env or the environment) the bot serves the real
# messenger(s) whose token is set; with neither, it runs against the local sandbox.
run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || [ -n "$$ZALO_BOT_TOKEN" ] || grep -qE '^[[:space:]]*(TELEGRAM|ZALO)_BOT_TOKEN[[:space:]]*=[[:space:]]*[^[:space:]#]' .env 2>/dev/null; then \
		$(PY) -m bot run; \
	else \
		$(PY) -m bot demo; \
	fi

# Lint first (ruff, then mypy in strict mode), so CI (.ci/run: `make test`) checks the types too.
# The suite runs in two worker processes (pytest-xdist): every test has its own database, ports and
# bot processes, and two workers keep the timing tests' margins on a two-core machine.
test: $(STAMP) lint browser
	$(PY) -m pytest -n 2

# The web chat test drives headless Chromium: Debian's chromium and chromium-driver, installed here
# when missing and when running as root (as CI does); otherwise that one test is skipped, saying why.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing chromium and chromium-driver for the web chat test (apt-get)..."; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium chromium-driver) >/dev/null 2>&1 \
				|| echo "could not install chromium: the web chat test will be skipped"; \
		else \
			echo "chromium or chromedriver missing and not root: the web chat test will be skipped"; \
		fi; \
	fi

bench: $(STAMP)
	$(PY) -m bench

# The long versions of the fault, bad-input and access tests (`make test` runs short ones).
soak: $(STAMP)
	$(PY) -m pytest -m soak -n 2

# ruff, then mypy --strict over the packages listed in pyproject.toml's [tool.mypy].
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
