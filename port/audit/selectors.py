"""Reading the audit log: the rows matching a search, newest first, and the emergency accesses."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from .models import AuditEvent


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _search(rows, *, when, who, survivor=None, user=None, date_from=None, date_to=None):
    """Filter by record number, user and dates (both days included) on the given fields."""

    if survivor:
        rows = rows.filter(survivor_id=survivor)
    if user:
        rows = rows.filter(**{who: user})
    if date_from:
        rows = rows.filter(**{f"{when}__gte": _start_of(date_from)})
    if date_to:
        rows = rows.filter(**{f"{when}__lt": _start_of(date_to + timedelta(days=1))})
    return rows.order_by(f"-{when}", "-id")


def search_audit_events(*, action="", **filters):
    rows = AuditEvent.objects.select_related("user")
    if action:
        rows = rows.filter(action=action)
    return _search(rows, when="at", who="user", **filters)


def search_break_glass_grants(*, action="", **filters):
    """The emergency accesses matching the same search, with their reasons, for review."""

    from port.accounts.models import BreakGlassGrant

    if action and action != "break_glass":
        return BreakGlassGrant.objects.none()
    return _search(BreakGlassGrant.objects.select_related("user"), when="granted_at", who="user", **filters)
