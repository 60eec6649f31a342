"""Settings: production mode refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_django_setup(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_DEBUG", "FIELD_ENCRYPTION_KEYS")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django_setup(DJANGO_SETTINGS_MODULE="port.settings", FIELD_ENCRYPTION_KEYS="x" * 44)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_an_encryption_key():
    result = run_django_setup(DJANGO_SETTINGS_MODULE="port.settings", SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_production_starts_with_its_secrets():
    result = run_django_setup(
        DJANGO_SETTINGS_MODULE="port.settings", SECRET_KEY="s" * 50,
        FIELD_ENCRYPTION_KEYS="dGVzdC1rZXktMDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=",
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_development_mode_starts_without_secrets():
    result = run_django_setup(DJANGO_SETTINGS_MODULE="port.settings", DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_postgresql_sessions_run_without_jit_and_sort_a_years_dashboard_in_memory(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    assert (jit, work_mem) == ("off", "32MB")
