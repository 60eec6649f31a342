# The README's two commands, and a few helpers.
.PHONY: run test lint bench dataset

run:  ## install, migrate, load demo data, start web + worker + beat
	scripts/run.sh

test:  ## install, start PostgreSQL/Redis if down, lint, run the whole suite
	scripts/test.sh $(ARGS)

lint:
	scripts/bootstrap.sh dev
	.venv/bin/ruff check .
