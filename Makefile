# The README's two commands, and a few helpers.
.PHONY: run test lint bench dataset

run:  ## install, migrate, load demo data, start web + worker + beat
	scripts/run.sh

test:  ## install, start PostgreSQL/Redis if down, lint, run the whole suite
	scripts/test.sh $(ARGS)

lint:
	scripts/bootstrap.sh dev
	.venv/bin/ruff check .

# The benchmark (docs/performance.md): its own PostgreSQL database, production settings.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/port_bench
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL= DJANGO_DEBUG=false LOG_LEVEL=WARNING \
	SECRET_KEY=bench-secret-key-not-for-production-0123456789abcdefghijklmnop \
	FIELD_ENCRYPTION_KEYS=cG9ydC1iZW5jaC1rZXktbm90LWZvci1yZWFsLWRhdGE= \
	STATICFILES_BACKEND=django.contrib.staticfiles.storage.StaticFilesStorage

bench:  ## generate the scale dataset when the bench database is empty, then time pages, sweep and import
	scripts/bootstrap.sh
	psql "$(BENCH_DATABASE_URL)" -c "SELECT 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres port_bench
	$(BENCH_ENV) .venv/bin/python manage.py migrate --noinput -v0
	$(BENCH_ENV) .venv/bin/python manage.py generate_dataset --if-empty $(DATASET_ARGS)
	$(BENCH_ENV) .venv/bin/python manage.py bench $(ARGS)

dataset:  ## (re)generate the scale dataset in the bench database: make dataset DATASET_ARGS="--scale 0.01"
	$(BENCH_ENV) .venv/bin/python manage.py migrate --noinput -v0
	$(BENCH_ENV) .venv/bin/python manage.py generate_dataset --flush $(DATASET_ARGS)
