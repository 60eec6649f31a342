#!/usr/bin/env bash
# The run command: installs, migrates, loads demo data and starts web + worker + beat.
# With no DATABASE_URL/REDIS_URL it runs on SQLite and kombu's filesystem broker.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}
# The demo shows every role at once; a real deployment keeps two-factor on (see README).
export OTP_ENFORCED=${OTP_ENFORCED:-false}
# The number the demo texts give people to call back (fictional 555-01xx range).
export PROGRAM_PHONE=${PROGRAM_PHONE:-+12025550100}
export PORT=${PORT:-8000}
mkdir -p var/celery/queue var/celery/processed var/log
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
if [ "${DJANGO_DEBUG}" != "true" ]; then
  .venv/bin/python manage.py collectstatic --noinput -v0
fi
echo
echo "PORT case management: http://localhost:${PORT}/  (Ctrl-C stops web, worker and beat)"
exec .venv/bin/honcho start -f Procfile
