"""The side effects of the follow-up clock, run by the effect tasks for claimed rows.

A batch of claimed rows runs in one transaction: its rows and their follow-ups are locked
in one query, each row acts only while it still holds its claim, and the batch's
notifications, escalations, audit rows and states are written a few statements at a time.
A crash rolls the whole batch back (its claims go stale and are retried); a batch that
fails runs again one row at a time, so one bad row holds up no other. Notifications are
keyed per follow-up and stage, and texts carry an idempotency key, so even a repeated
effect never notifies or texts twice.
"""

import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from port.accounts.models import User
from port.accounts.notify import notify_users
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from port.audit.services import build_event

from .models import ContactAttempt, FollowUp, ScheduledEffect

logger = logging.getLogger(__name__)

Stage = ScheduledEffect.Stage
State = ScheduledEffect.State


def perform_effects(effect_ids, token):
    """Run a claimed batch. Returns {effect id: final state, None if not ours (any more), or "error"}."""

    token = str(token)
    try:
        with transaction.atomic():
            # Rows another transaction holds (a redelivered task, someone saving the follow-up) are
            # skipped here and run one by one below, waiting for their lock.
            rows = list(_locked_rows(skip_locked=True).filter(pk__in=effect_ids).order_by("pk"))
            ours = [effect for effect in rows if _holds_claim(effect, token)]
            _run(ours)
    except Exception as exc:  # noqa: BLE001 - logged by class only: messages may hold personal data
        # All of the batch is rolled back: run its rows one at a time, so a bad row fails alone.
        logger.error(
            "scheduled effect batch of %s (from %s) failed: %s; running it one by one",
            len(effect_ids),
            min(effect_ids),
            type(exc).__name__,
        )
        return {pk: perform_effect(pk, token) for pk in effect_ids}
    results = dict.fromkeys(effect_ids)
    results.update({effect.pk: effect.state for effect in ours})
    fetched = {effect.pk for effect in rows}
    for pk in effect_ids:
        if pk not in fetched:
            results[pk] = perform_effect(pk, token)
    return results


def perform_effect(effect_id, token):
    """Run one claimed effect if this task still holds its claim. Returns the final state, None, or "error"."""

    try:
        with transaction.atomic():
            effect = _locked_rows(skip_locked=False).filter(pk=effect_id).first()
            if effect is None or not _holds_claim(effect, token):
                return None  # done already, or re-claimed by a later sweep: not ours any more
            _run([effect])
            return effect.state
    except Exception as exc:  # noqa: BLE001 - logged by class only: messages may hold personal data
        # Everything the effect wrote is rolled back; the claim goes stale and the sweep retries it.
        logger.error("scheduled effect %s failed: %s", effect_id, type(exc).__name__)
        ScheduledEffect.objects.filter(pk=effect_id, claim_token=token).update(last_error=type(exc).__name__[:100])
        return "error"


def _locked_rows(*, skip_locked):
    """Effect rows with their follow-ups, both locked by the one query that reads them."""

    return ScheduledEffect.objects.select_for_update(skip_locked=skip_locked, of=("self", "followup")).select_related(
        "followup", "followup__assigned_to"
    )


def _holds_claim(effect, token):
    return effect.state == State.CLAIMED and str(effect.claim_token) == str(token)


def _run(effects):
    """Apply each effect's rule to its (locked, open) follow-up, then write the batch and the final states."""

    batch = EffectBatch([effect.followup for effect in effects])
    for effect in effects:
        followup = effect.followup
        acted = followup.is_open and HANDLERS[effect.stage](followup, batch)
        effect.state = State.DONE if acted else State.SKIPPED
    batch.write()
    for state in (State.DONE, State.SKIPPED):
        ids = [effect.pk for effect in effects if effect.state == state]
        if ids:
            ScheduledEffect.objects.filter(pk__in=ids).update(state=state, done_at=batch.now, last_error="")


class EffectBatch:
    """What the rules of one batch read (a query each, on first need) and write (a statement each, at the end)."""

    def __init__(self, followups):
        self.now = timezone.now()
        self.followups = followups
        self.notices = []  # (user, key, text, url) for notify_users
        self.escalated = []
        self.fallbacks = []
        self._coordinators = None
        self._attempted = None

    def coordinators(self, team_id):
        if self._coordinators is None:
            self._coordinators = coordinators_by_team({f.team_id for f in self.followups})
        return self._coordinators.get(team_id, [])

    def attempted(self, followup):
        if self._attempted is None:
            self._attempted = set(
                ContactAttempt.objects.filter(followup__in=[f.pk for f in self.followups])
                .values_list("followup_id", flat=True)
                .distinct()
            )
        return followup.pk in self._attempted

    def notify(self, user, *, key, text, followup):
        self.notices.append((user, key, text, reverse("followups:detail", args=[followup.pk])))

    def write(self):
        if self.escalated:
            ids = [f.pk for f in self.escalated]
            FollowUp.objects.filter(pk__in=ids, escalated_at__isnull=True).update(escalated_at=self.now)
            AuditEvent.objects.bulk_create(
                build_event(None, "change", f, detail="escalated: nobody reached by the deadline")
                for f in self.escalated
            )
        notify_users(self.notices)
        if self.fallbacks:
            from followups.messaging.services import queue_fallback_contacts

            prefetch_related_objects(self.fallbacks, "survivor")
            queue_fallback_contacts(self.fallbacks, reason="warning", stage="warning")


def coordinators_by_team(team_ids):
    """{team id: its active coordinators, by id}, in one query."""

    by_team = defaultdict(list)
    links = (
        User.teams.through.objects.filter(team_id__in=team_ids, user__role=Role.COORDINATOR, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    for link in links:
        by_team[link.team_id].append(link.user)
    return by_team


def coordinators_of(team):
    return coordinators_by_team([team.pk]).get(team.pk, [])


# --- The rules, one per stage: each says whether it acted, and leaves its writes to the batch ---


def notify_due(followup, batch):
    """At the target time: tell the assignee (or, with nobody assigned, the coordinators)."""

    if batch.now >= followup.deadline_at:
        return False  # late (an old import, a sweep that was down): the escalation says it better
    if followup.assigned_to_id:
        text = f"{followup.get_kind_display()} #{followup.pk} is due: please make contact."
        batch.notify(followup.assigned_to, key=f"followup:{followup.pk}:due", text=text, followup=followup)
    else:
        text = f"{followup.get_kind_display()} #{followup.pk} is due and nobody is assigned."
        for user in batch.coordinators(followup.team_id):
            batch.notify(user, key=f"followup:{followup.pk}:due:unassigned:{user.pk}", text=text, followup=followup)
    return True


def warn_no_contact(followup, batch):
    """At 48 h with no contact attempt: warn the assignee and send the fallback contact."""

    if batch.attempted(followup) or batch.now >= followup.deadline_at:
        return False
    text = f"{followup.get_kind_display()} #{followup.pk}: no contact yet, the deadline is near."
    batch.notify(followup.assigned_to, key=f"followup:{followup.pk}:warning", text=text, followup=followup)
    batch.fallbacks.append(followup)
    return True


def escalate_in(followup, batch):
    """At the deadline with nobody reached: mark it escalated once and tell the team's coordinators."""

    if followup.escalated_at is None:
        followup.escalated_at = batch.now
        batch.escalated.append(followup)
    text = f"{followup.get_kind_display()} #{followup.pk} passed its deadline with nobody reached."
    for user in batch.coordinators(followup.team_id):
        batch.notify(user, key=f"followup:{followup.pk}:escalate:{user.pk}", text=text, followup=followup)
    return True


def escalate(followup):
    """Escalate one follow-up now, as the sweep would (the demo's data uses it)."""

    with transaction.atomic():
        followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
        batch = EffectBatch([followup])
        escalate_in(followup, batch)
        batch.write()
    return followup


HANDLERS = {
    Stage.DUE: notify_due,
    Stage.WARNING: warn_no_contact,
    Stage.ESCALATE: escalate_in,
    # Fallback contacts are queued by the warning and by a visit that was not possible.
    Stage.FALLBACK: lambda followup, batch: False,
}
