"""Writes for intake: survivors and overdose events. Views, imports, tasks and tests call these."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from port.audit.services import record_event

from .models import OverdoseEvent, Survivor


@transaction.atomic
def create_survivor(*, by, team, request=None, **fields):
    survivor = Survivor(team=team, created_by=by, updated_by=by, **fields)
    survivor.full_clean(exclude=["team"])
    survivor.save()
    record_event(request, "create", survivor, user=by)
    return survivor


@transaction.atomic
def record_overdose_event(*, by, team, survivor=None, request=None, **fields):
    """Save an event and start the clock: a follow-up for a survivor, family support for a death."""

    from followups.services import open_followups_for_event

    event = OverdoseEvent(team=team, survivor=survivor, created_by=by, updated_by=by, **fields)
    event.save()
    record_event(request, "create", event, user=by)
    if survivor is not None:
        if event.is_fatal and survivor.status != Survivor.Status.DECEASED:
            survivor.status = Survivor.Status.DECEASED
            survivor.save(update_fields=["status", "updated_at"])
        flag_repeat_overdose(survivor, event)
    open_followups_for_event(event, by=by)
    return event


def flag_repeat_overdose(survivor, event):
    """A second event within REPEAT_OVERDOSE_DAYS (either side of this one) flags the survivor."""

    window = timedelta(days=settings.REPEAT_OVERDOSE_DAYS)
    others = survivor.events.exclude(pk=event.pk).filter(
        occurred_at__gte=event.occurred_at - window, occurred_at__lte=event.occurred_at + window
    )
    if others.exists() and not survivor.high_risk:
        survivor.high_risk = True
        survivor.high_risk_reason = f"Repeat overdose within {settings.REPEAT_OVERDOSE_DAYS} days"
        survivor.save(update_fields=["high_risk", "high_risk_reason", "updated_at"])
        return True
    return False
