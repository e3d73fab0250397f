# Tingwu — the two commands: `make run` and `make test`.
PY_VERSION ?= 3.12
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PORT ?= 8000
# The address printed by the demo and put in mobile-ticket QR codes follows the port served (`make run PORT=8100`);
# production sets its own public address.
export TINGWU_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
PG_URL ?= postgres://postgres@127.0.0.1:5432/tingwu_ci

.PHONY: run install migrate demo serve test test-at test-pg test-fast hotpath-mirrors lint worker simulate bench messages clean system-deps run-deps

$(PY):
	@PYBIN=$$(command -v python$(PY_VERSION) || pyenv prefix $(PY_VERSION) 2>/dev/null | sed 's|$$|/bin/python|' || true); \
	if [ -z "$$PYBIN" ] || [ ! -x "$$PYBIN" ]; then PYBIN=$$(ls -d $$HOME/.pyenv/versions/$(PY_VERSION)*/bin/python 2>/dev/null | tail -1); fi; \
	if [ -z "$$PYBIN" ]; then echo "Python $(PY_VERSION) not found"; exit 1; fi; \
	echo "Creating $(VENV) with $$PYBIN"; $$PYBIN -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py demo

# The web server in the foreground and the worker (SLA sweep, notices, housekeeping) beside it; Ctrl-C stops both.
run: run-deps demo
	@echo ""
	@echo "Tingwu is serving on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop; watch a live hall: make simulate)"
	@$(PY) manage.py worker > var/worker.log 2>&1 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py serve --port $(PORT)

# The web server alone (no demo data, no worker), e.g. on an install migrated by hand.
serve: migrate
	$(PY) manage.py serve --port $(PORT)

worker: migrate
	$(PY) manage.py worker

# Customers arriving and clerks serving at the demo flagship, in real time (10 simulated minutes per minute).
simulate: migrate
	$(PY) manage.py simulate --live --speed 10

# What the product itself needs at run time: a CJK font for the PDFs (complaint receipt, written result).
# Idempotent; installs Debian's fonts-wqy-microhei when no CJK font is present (needs root, else says what to install).
run-deps:
	@if ! fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk\|noto sans sc"; then \
	  if [ "$$(id -u)" = "0" ]; then echo "Installing fonts-wqy-microhei (CJK font for the PDFs)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	  else echo "Please install a CJK font for the PDFs: apt-get install fonts-wqy-microhei (or set TINGWU_CJK_FONT)"; fi; fi

# Debian packages the browser tests and PDFs need (Chromium, CJK fonts, gettext). Idempotent; needs root.
system-deps: run-deps
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk"; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei gettext >/dev/null; \
	  else echo "Please install: chromium fonts-wqy-microhei gettext (apt-get)"; fi; fi

test: install system-deps
	$(PY) -m pytest -q

# The suite as if now were another instant (issue 15), e.g. make test-at NOW=2026-12-31T23:30+08:00
test-at: install system-deps
	@if [ -z "$(NOW)" ]; then echo "usage: make test-at NOW=2026-12-31T23:30+08:00"; exit 2; fi
	$(PY) -m pytest -q --now "$(NOW)"

# The suite without the browser tests and the long concurrency tests (a quick check while editing).
test-fast: install
	$(PY) -m pytest -q -m "not browser and not slow"

test-pg: install system-deps
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q

# Re-record the hot path's mirror fingerprints after changing a rule on both sides (queueing/hotpath/mirrors.py).
hotpath-mirrors: install
	$(PY) -m queueing.hotpath.mirrors --record

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v0

messages: install
	cd tingwu && ../$(PY) ../manage.py makemessages -l en --no-obsolete
	$(PY) manage.py compilemessages -l en

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var/*.sqlite3* var/test-*
