"""The landing redirect by role, the not-found page, and the health check for the compose healthcheck."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from port.accounts.navigation import landing_url
from port.celery import app as celery_app

logger = logging.getLogger(__name__)


def home(request):
    return redirect(landing_url(request.user))


def page_not_found(request, exception=None):
    """404 for a missing record and for one outside the user's teams alike, so nothing leaks.

    On a survivor's page it offers the break-glass form, for the emergency where a staff
    member must act on a person outside their teams (the offer does not say the record exists).
    """

    break_glass_url = None
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    if user is not None and user.is_authenticated and user.may_break_glass and match is not None:
        survivor_id = match.kwargs.get("survivor_id")
        if survivor_id is None and match.namespace == "survivors" and match.url_name == "detail":
            survivor_id = match.kwargs.get("pk")
        if survivor_id is not None:
            break_glass_url = reverse("break_glass_for", kwargs={"survivor_id": survivor_id})
    context = {"page_title": "Not found", "break_glass_url": break_glass_url}
    return render(request, "accounts/not_found.html", context, status=404)


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
