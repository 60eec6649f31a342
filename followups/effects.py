"""The side effects of the follow-up clock, run by the effect task for one claimed row.

Each runs in one transaction with its row locked, so a crash rolls everything back
(the claim goes stale and is retried) and a redelivered task finds the row done.
Notifications are keyed per follow-up and stage, and texts carry an idempotency key,
so even a repeated effect never notifies or texts twice.
"""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from port.accounts.models import User
from port.accounts.notify import notify_user
from port.accounts.roles import Role
from port.audit.services import record_event

from .models import FollowUp, ScheduledEffect

logger = logging.getLogger(__name__)

Stage = ScheduledEffect.Stage
State = ScheduledEffect.State


def perform_effect(effect_id, token):
    """Run one claimed effect if this task still holds its claim. Returns the final state, or None."""

    try:
        with transaction.atomic():
            effect = ScheduledEffect.objects.select_for_update().filter(pk=effect_id).first()
            if effect is None or effect.state != State.CLAIMED or str(effect.claim_token) != str(token):
                return None  # done already, or re-claimed by a later sweep: not ours any more
            followup = FollowUp.objects.select_for_update(of=("self",)).select_related("team", "assigned_to").get(
                pk=effect.followup_id
            )
            acted = HANDLERS[effect.stage](followup, effect) if followup.is_open else False
            effect.state = State.DONE if acted else State.SKIPPED
            effect.done_at = timezone.now()
            effect.last_error = ""
            effect.save(update_fields=["state", "done_at", "last_error"])
            return effect.state
    except Exception as exc:  # noqa: BLE001 - logged by class only: messages may hold personal data
        # Everything the effect wrote is rolled back; the claim goes stale and the sweep retries it.
        logger.error("scheduled effect %s failed: %s", effect_id, type(exc).__name__)
        ScheduledEffect.objects.filter(pk=effect_id, claim_token=token).update(last_error=type(exc).__name__[:100])
        return "error"


def _followup_url(followup):
    return reverse("followups:detail", args=[followup.pk])


def coordinators_of(team):
    return list(User.objects.filter(teams=team, role=Role.COORDINATOR, is_active=True).order_by("id"))


def notify_due(followup, effect):
    """At the target time: tell the assignee (or, with nobody assigned, the coordinators)."""

    if timezone.now() >= followup.deadline_at:
        return False  # late (an old import, a sweep that was down): the escalation says it better
    text = f"{followup.get_kind_display()} #{followup.pk} is due: please make contact."
    if followup.assigned_to_id:
        notify_user(followup.assigned_to, key=f"followup:{followup.pk}:due", text=text, url=_followup_url(followup))
    else:
        for user in coordinators_of(followup.team):
            notify_user(
                user,
                key=f"followup:{followup.pk}:due:unassigned:{user.pk}",
                text=f"{followup.get_kind_display()} #{followup.pk} is due and nobody is assigned.",
                url=_followup_url(followup),
            )
    return True


def warn_no_contact(followup, effect):
    """At 48 h with no contact attempt: warn the assignee and send the fallback contact."""

    if followup.attempts.exists() or timezone.now() >= followup.deadline_at:
        return False
    text = f"{followup.get_kind_display()} #{followup.pk}: no contact yet, the deadline is near."
    notify_user(followup.assigned_to, key=f"followup:{followup.pk}:warning", text=text, url=_followup_url(followup))
    from followups.messaging.services import queue_fallback_contact

    queue_fallback_contact(followup, reason="warning", stage="warning")
    return True


def escalate(followup, effect=None):
    """At the deadline with nobody reached: mark it escalated once and tell the team's coordinators."""

    now = timezone.now()
    first_time = FollowUp.objects.filter(pk=followup.pk, escalated_at__isnull=True).update(escalated_at=now)
    if first_time:
        followup.escalated_at = now
        record_event(None, "change", followup, detail="escalated: nobody reached by the deadline")
    text = f"{followup.get_kind_display()} #{followup.pk} passed its deadline with nobody reached."
    for user in coordinators_of(followup.team):
        notify_user(user, key=f"followup:{followup.pk}:escalate:{user.pk}", text=text, url=_followup_url(followup))
    return True


HANDLERS = {
    Stage.DUE: notify_due,
    Stage.WARNING: warn_no_contact,
    Stage.ESCALATE: escalate,
    # Fallback contacts are queued by the warning and by a visit that was not possible.
    Stage.FALLBACK: lambda followup, effect: False,
}
