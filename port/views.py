"""The landing redirect by role, and the health check for the compose healthcheck."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from port.accounts.navigation import landing_url
from port.celery import app as celery_app

logger = logging.getLogger(__name__)


def home(request):
    return redirect(landing_url(request.user))


@login_not_required
@never_cache
def healthz(request):
    """200 when the database and the Celery broker answer, 503 otherwise."""

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        logger.exception("healthz: database unreachable")
        checks["database"] = "error"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception:  # noqa: BLE001
        logger.exception("healthz: broker unreachable")
        checks["broker"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
