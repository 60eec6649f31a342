"""Clock actions the sweep gave up on: listing them for coordinators and queuing one again by hand.

The sweep marks a scheduled effect `failed` after SWEEP_MAX_TRIES (scheduler.requeue_stale_claims).
A failed effect is a notice, a warning text or an escalation nobody got, so it is shown to the
coordinators of its team until someone queues it again (the next sweep runs it as if it had just
come due) or, when its follow-up has closed since, clears it.
"""

import enum

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Least
from django.utils import timezone

from port.audit.services import record_event

from .models import FollowUp, ScheduledEffect

Stage = ScheduledEffect.Stage
State = ScheduledEffect.State

# What each stage would have done, in the words of the person who missed it.
MISSED_ACTION = {
    Stage.DUE: "Tell the assigned worker the follow-up is due",
    Stage.WARNING: "Warn that nobody was contacted yet and send the fallback text",
    Stage.ESCALATE: "Escalate to the coordinators: the deadline passed",
    Stage.FALLBACK: "Send the fallback contact",
}


def failed_effects(user):
    """The failed clock actions of the follow-ups the user may see, earliest due first."""

    return (
        ScheduledEffect.objects.visible_to(user)
        .filter(state=State.FAILED)
        .select_related("followup", "followup__survivor", "followup__team")
        .defer("followup__survivor__notes")
        .order_by("due_at", "id")
    )


def failed_effect_count(user):
    """How many failed clock actions the user's teams have (one query: the team worklist asks on every view)."""

    return ScheduledEffect.objects.visible_to(user).filter(state=State.FAILED).count()


class Retry(enum.Enum):
    QUEUED = "queued"  # pending again: the next sweep runs it
    CLOSED = "closed"  # the follow-up is closed: marked skipped, nothing will be sent
    NOT_FAILED = "not_failed"  # no longer failed (a second click, a stale page): nothing done


@transaction.atomic
def retry_failed_effect(effect, *, by, request=None):
    """Put a failed clock action back in the sweep's hands, once, and audit who did it.

    Returns (Retry, the follow-up as read under its lock).

    The update is conditional on the row still being failed, so a double click or a stale page
    queues nothing twice. It stays due at its original time (already past, so the next sweep
    claims it first). The follow-up is locked as closing it locks it, so it is either queued before
    the closing (which then skips it) or seen closed here and the coordinator told that nothing goes out.
    """

    followup = FollowUp.objects.select_for_update().get(pk=effect.followup_id)
    now = timezone.now()
    still_failed = ScheduledEffect.objects.filter(pk=effect.pk, state=State.FAILED)
    if followup.is_open:
        outcome = Retry.QUEUED
        changed = still_failed.update(
            state=State.PENDING, due_at=Least("due_at", Value(now)), claim_token=None, claimed_at=None,
            tries=0, done_at=None, last_error="",
        )
        detail = f"clock action {effect.stage} (scheduled effect {effect.pk}) queued again after failing"
    else:
        outcome = Retry.CLOSED
        changed = still_failed.update(state=State.SKIPPED, done_at=now)
        detail = f"failed clock action {effect.stage} (scheduled effect {effect.pk}) cleared: follow-up closed"
    if not changed:
        return Retry.NOT_FAILED, followup
    record_event(request, "change", followup, user=by, detail=detail)
    return outcome, followup
