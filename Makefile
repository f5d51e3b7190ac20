# convcards: `make site` builds the site, `make test` runs every test. Both set up what they need.
PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV   := .venv
PY     := $(VENV)/bin/python
KATEX  := docs/vendor/katex
FSRS   := docs/vendor/ts-fsrs

.PHONY: site test shots generate check serve bench lint clean chromium lock
.DEFAULT_GOAL := site

# --- set-up: a local virtual environment and the pinned npm packages -----------------------
# Python packages come from the hash-checked lock files (requirements.lock for the site,
# requirements-dev.lock with the test tools), installed by uv (itself pinned by hash in
# requirements-uv.lock); `make lock` updates them from pyproject.toml.
UV_VERSION := 0.13.8
UV         := $(VENV)/bin/uv
UV_PIP     := $(UV) pip install --quiet --python $(PY)
LOCK_PY    := 3.11.5
COMPILE    := $(UV) pip compile --quiet --universal --generate-hashes --python-version $(LOCK_PY)

$(VENV)/.uv-stamp: requirements-uv.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-uv.lock
	touch $@

$(VENV)/.site-stamp: pyproject.toml requirements.lock $(VENV)/.uv-stamp
	$(UV_PIP) --require-hashes -r requirements.lock
	$(UV_PIP) --no-deps -e .
	touch $@

$(VENV)/.dev-stamp: $(VENV)/.site-stamp requirements-dev.lock
	$(UV_PIP) --require-hashes -r requirements-dev.lock
	touch $@

lock: $(VENV)/.uv-stamp
	$(COMPILE) --extra dev pyproject.toml -o requirements-dev.lock
	$(COMPILE) pyproject.toml -c requirements-dev.lock -o requirements.lock
	echo "uv==$(UV_VERSION)" | $(COMPILE) - -o requirements-uv.lock
	@echo "locked: requirements.lock, requirements-dev.lock, requirements-uv.lock (run make site / make test to install)"

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# KaTeX is served by the site itself: copied from node_modules, never committed (gitignored).
$(KATEX)/.stamp: node_modules/.stamp
	rm -rf $(KATEX) && mkdir -p $(KATEX)/fonts
	cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css $(KATEX)/
	cp node_modules/katex/dist/fonts/*.woff2 $(KATEX)/fonts/
	touch $@

# ts-fsrs (the scheduler of study mode) likewise: its browser (UMD) build and its licence.
$(FSRS)/.stamp: node_modules/.stamp
	rm -rf $(FSRS) && mkdir -p $(FSRS)
	cp node_modules/ts-fsrs/dist/index.umd.js $(FSRS)/ts-fsrs.umd.js
	cp node_modules/ts-fsrs/LICENSE $(FSRS)/LICENSE
	touch $@

# --- the site -------------------------------------------------------------------------------
generate: $(VENV)/.site-stamp
	$(PY) -m generator

check: $(VENV)/.site-stamp
	$(PY) -m generator --check

# ENGINE=zensical builds the same mkdocs.yml with Zensical (the successor of Material for MkDocs).
ENGINE ?= mkdocs
ifeq ($(ENGINE),zensical)
site: generate $(KATEX)/.stamp $(FSRS)/.stamp $(VENV)/.dev-stamp
	rm -rf site
	PYTHONPATH=$(CURDIR) $(VENV)/bin/zensical build --strict  # mkdocs.yml's generator.mdext: installed, the package is convcards
else
site: generate $(KATEX)/.stamp $(FSRS)/.stamp
	$(PY) -m mkdocs build --strict --quiet
endif
	node generator/postbuild.mjs site
	@echo "site built in site/ with $(ENGINE): serve it (make serve, or any web server on site/); opened from disk its links do not work"

ADDR ?= 127.0.0.1:8000
serve: generate $(KATEX)/.stamp $(FSRS)/.stamp
	$(PY) -m generator.serve --dev-addr $(ADDR) $(SERVE_FLAGS)

# --- tests ----------------------------------------------------------------------------------
# Browser tests need Debian's chromium; as root it is installed when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$CHROMIUM" ] || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	    else echo "make test: install Debian's chromium (apt-get install chromium) or set CHROMIUM=/path/to/chromium" >&2; exit 2; fi; }

# One pytest worker per core (pytest-xdist), each with its own browser; the built site is shared
# by the workers (tests/conftest.py). TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= auto
test: site $(VENV)/.dev-stamp chromium
	$(PY) -m pytest -q -n $(TEST_WORKERS)

# Full-page screenshots of every page, light and dark, into screenshots/ (gitignored), for a person
# to look at; `make test` does not take them (they check nothing).
shots: site $(VENV)/.dev-stamp chromium
	CONVCARDS_SCREENSHOTS=1 $(PY) -m pytest -q -n $(TEST_WORKERS) tests/test_browser_pages.py -k light_and_dark

lint: $(VENV)/.dev-stamp
	$(PY) -m ruff check generator tests

bench: site $(VENV)/.dev-stamp chromium
	$(PY) bench/run.py

clean:
	rm -rf site $(KATEX) $(FSRS) .pytest_cache .hypothesis
