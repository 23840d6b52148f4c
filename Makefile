# The two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Dependencies are (re)installed only when requirements.txt is newer than this stamp.
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

$(INSTALLED): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

.PHONY: setup system-packages migrate run admin test bench
setup: $(INSTALLED)

# Debian's Chromium, an emoji font and the network tools the suite drives (scripts/system-packages).
system-packages:
	scripts/system-packages

# Migrate, then load the lessons of content/lessons/ that the database lacks (lessons
# edited in the admin are kept: see lessons/content.py), then the Learn, Why, Deep and Perf
# modes of content/modes/ (idempotent), then
# the Challenge puzzles and Project tasks of practice/content/.
migrate: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_lessons
	$(BIN)/python manage.py load_modes
	$(BIN)/python manage.py load_practice

run: migrate
	@echo
	@echo "  sgviz:  http://$(HOST):$(PORT)/"
	@echo "  admin:  http://$(HOST):$(PORT)/admin/  (create a staff login first: make admin)"
	@echo
	@# an endpoint string, not -b/-p: it raises the listen backlog from Twisted's 50 (README, "The scaled deployment");
	@# config.daphne_server is daphne closing an over-size websocket message with 1009 instead of dropping TCP
	$(BIN)/python -m config.daphne_server -e tcp:port=$(PORT):interface=$(HOST):backlog=1024 config.asgi:application

admin: migrate
	$(BIN)/python manage.py createsuperuser

# Two workers (this machine has two cores); --dist loadfile keeps a file's tests, and so a
# browser test class and its one daphne, in one worker.
test: setup system-packages
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Every script in benchmarks/ that runs as a program (helper modules have no __main__ block,
# or are named _*.py: _gc_probe.py runs, but as the benchmarks' server, not as a benchmark).
bench: setup
	for benchmark in $$(grep -l '^if __name__ == "__main__":' benchmarks/[!_]*.py); do \
		echo "== $$benchmark"; $(BIN)/python $$benchmark || exit 1; \
	done
