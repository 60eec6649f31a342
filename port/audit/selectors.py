"""Reading the audit log: the rows matching a search, newest first."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from .models import AuditEvent


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def search_audit_events(*, survivor=None, user=None, action="", date_from=None, date_to=None):
    rows = AuditEvent.objects.select_related("user")
    if survivor:
        rows = rows.filter(survivor_id=survivor)
    if user:
        rows = rows.filter(user=user)
    if action:
        rows = rows.filter(action=action)
    if date_from:
        rows = rows.filter(at__gte=_start_of(date_from))
    if date_to:
        rows = rows.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return rows.order_by("-at", "-id")


def search_break_glass_grants(*, survivor=None, user=None, action="", date_from=None, date_to=None):
    """The emergency accesses matching the same search, with their reasons, for review."""

    from port.accounts.models import BreakGlassGrant

    if action and action != "break_glass":
        return BreakGlassGrant.objects.none()
    grants = BreakGlassGrant.objects.select_related("user")
    if survivor:
        grants = grants.filter(survivor_id=survivor)
    if user:
        grants = grants.filter(user=user)
    if date_from:
        grants = grants.filter(granted_at__gte=_start_of(date_from))
    if date_to:
        grants = grants.filter(granted_at__lt=_start_of(date_to + timedelta(days=1)))
    return grants.order_by("-granted_at")
