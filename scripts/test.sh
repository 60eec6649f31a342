#!/usr/bin/env bash
# The test command: installs what it needs, makes sure PostgreSQL, Redis and Chromium are
# there, runs the checks (ruff, check --deploy, makemigrations --check), then the suite.
# Extra arguments go to pytest: scripts/test.sh tests/followups -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev

# Services on localhost, started if installed but down.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "Starting PostgreSQL ..."
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis ..."
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi
# The database the checks below connect to (pytest makes its own test database).
createdb -h 127.0.0.1 -U postgres port 2>/dev/null || true
# The browser journeys use Debian's Chromium (no browser downloads).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium ..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi

export DJANGO_DEBUG=false
export SECRET_KEY=${SECRET_KEY:-test-secret-key-not-for-production-0123456789abcdefghijklmnop}
export FIELD_ENCRYPTION_KEYS=${FIELD_ENCRYPTION_KEYS:-dGVzdC1rZXktMDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/port}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
export STATICFILES_BACKEND=django.contrib.staticfiles.storage.StaticFilesStorage
export MESSAGING_BACKEND=${MESSAGING_BACKEND:-followups.messaging.backends.DatabaseBackend}

if [ $# -eq 0 ]; then
  echo "== ruff"
  .venv/bin/ruff check .
  echo "== makemigrations --check"
  .venv/bin/python manage.py makemigrations --check --dry-run
  echo "== check --deploy (production settings)"
  DJANGO_DEBUG=false SECURE_SSL_REDIRECT=true SESSION_COOKIE_SECURE=true CSRF_COOKIE_SECURE=true \
    SECURE_HSTS_SECONDS=31536000 ALLOWED_HOSTS=port.example.org \
    SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    .venv/bin/python manage.py check --deploy --fail-level WARNING
fi
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
