# Two commands, on a fresh machine with Python 3.11, pip, node/npm and Debian's apt:
#   make demo   set everything up, start the platform with the demo region on the embedded store
#   make test   set everything up, run the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := chromium virtuoso-opensource fonts-dejavu-core nginx-light

.PHONY: demo serve test lint format docs setup system-packages assets clean

demo: setup
	$(BIN)/regiograph demo

serve: setup
	$(BIN)/regiograph serve

test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

docs: setup
	$(BIN)/regiograph config --markdown > docs/configuration.md

setup: system-packages assets $(STAMP)

# Debian packages the browser, Virtuoso and reverse-proxy (nginx) tests need; installed where we run as root
# (as in CI). Elsewhere those tests skip and say why.
system-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=""; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v virtuoso-t >/dev/null || missing="$$missing virtuoso-opensource"; \
	  [ -d /usr/share/fonts/truetype/dejavu ] || missing="$$missing fonts-dejavu-core"; \
	  command -v nginx >/dev/null || missing="$$missing nginx-light"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi; \
	else \
	  echo "not root: skipping Debian packages ($(SYSTEM_PACKAGES)); tests that need them will skip"; \
	fi

# Front-end libraries come from npm and are copied into the package's static files: no CDN.
assets: node_modules/.installed
node_modules/.installed: package.json package-lock.json scripts/copy-assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/copy-assets.mjs
	touch $@

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) node_modules src/regiograph/server/static/vendor build dist
