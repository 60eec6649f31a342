"""Writes for follow-ups: opening them, assigning, logging contact attempts, check-ins."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from port.audit.services import record_event
from survivors.models import NaloxoneDistribution, Survivor

from .models import ContactAttempt, FollowUp, ScheduledEffect


def _hours(n):
    return timedelta(hours=n)


def schedule_clock(followup):
    """The side effects of the 24/48/72-hour clock, as rows the sweep will claim."""

    start = followup.deadline_at - _hours(settings.FOLLOWUP_DEADLINE_HOURS)
    stages = [(ScheduledEffect.Stage.DUE, followup.target_at)]
    if followup.kind == FollowUp.Kind.INITIAL:
        stages.append((ScheduledEffect.Stage.WARNING, start + _hours(settings.FOLLOWUP_WARNING_HOURS)))
    stages.append((ScheduledEffect.Stage.ESCALATE, followup.deadline_at))
    for stage, due_at in stages:
        ScheduledEffect.objects.get_or_create(followup=followup, stage=stage, defaults={"due_at": due_at})


def pick_assignee(team):
    """The team's on-call worker, else round-robin over its active outreach workers."""

    if team.on_call_worker_id and team.on_call_worker.is_active:
        return team.on_call_worker
    workers = list(team.members.filter(is_active=True, role="outreach").order_by("id"))
    if not workers:
        return None
    last = team.last_assigned_worker_id
    after = [w for w in workers if last is not None and w.id > last]
    chosen = after[0] if after else workers[0]
    team.last_assigned_worker = chosen
    team.save(update_fields=["last_assigned_worker"])
    return chosen


@transaction.atomic
def open_followups_for_event(event, *, by=None):
    """Non-fatal with a survivor: the initial follow-up. Fatal: family support. Idempotent per event."""

    if event.is_fatal:
        kind = FollowUp.Kind.FAMILY_SUPPORT
    elif event.survivor_id is not None:
        kind = FollowUp.Kind.INITIAL
    else:
        return None  # an unmatched import row: opened when the coordinator matches a person
    existing = FollowUp.objects.filter(event=event, kind=kind).first()
    if existing:
        return existing
    followup = FollowUp.objects.create(
        event=event,
        survivor=event.survivor,
        team=event.team,
        kind=kind,
        target_at=event.occurred_at + _hours(settings.FOLLOWUP_TARGET_HOURS),
        deadline_at=event.occurred_at + _hours(settings.FOLLOWUP_DEADLINE_HOURS),
        assigned_to=pick_assignee(event.team),
    )
    schedule_clock(followup)
    record_event(None, "create", followup, user=by, detail=f"opened {kind}")
    return followup


@transaction.atomic
def assign_followup(followup, worker, *, by, request=None):
    previous = followup.assigned_to
    followup.assigned_to = worker
    followup.save(update_fields=["assigned_to"])
    record_event(
        request, "change", followup, user=by,
        detail=f"assigned from user {previous.pk if previous else '-'} to user {worker.pk if worker else '-'}",
    )
    return followup


@transaction.atomic
def log_contact_attempt(followup, *, by, request=None, team_members=(), family_members_met=(), **fields):
    """Record one try. Reaching the person closes the follow-up and schedules the check-ins."""

    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    attempt = ContactAttempt.objects.create(followup=followup, performed_by=by, **fields)
    if team_members:
        attempt.team_members.set(team_members)
    if family_members_met:
        attempt.family_members_met.set(family_members_met)
    record_event(request, "create", attempt, user=by, survivor_id=followup.survivor_id)

    if attempt.naloxone_kits or attempt.test_strips:
        NaloxoneDistribution.objects.create(
            team=followup.team,
            survivor=followup.survivor,
            given_at=attempt.at,
            given_by=by,
            kits=attempt.naloxone_kits,
            test_strips=attempt.test_strips,
            created_by=by,
        )

    if followup.is_open:
        if attempt.reached:
            close_followup(
                followup,
                FollowUp.Status.REACHED if attempt.outcome == ContactAttempt.Outcome.REACHED_ENGAGED
                else FollowUp.Status.DECLINED,
                at=attempt.at,
            )
            if followup.survivor_id:
                _update_survivor_after_reach(followup.survivor, attempt)
                if followup.kind in (FollowUp.Kind.INITIAL, FollowUp.Kind.FAMILY_SUPPORT):
                    schedule_checkins(followup, attempt.at)
        elif attempt.outcome == ContactAttempt.Outcome.DECEASED:
            close_followup(followup, FollowUp.Status.CLOSED_UNREACHED, at=attempt.at)
            if followup.survivor_id:
                Survivor.objects.filter(pk=followup.survivor_id).update(status=Survivor.Status.DECEASED)
    return attempt


def _update_survivor_after_reach(survivor, attempt):
    if attempt.outcome == ContactAttempt.Outcome.REACHED_ENGAGED and survivor.status in (
        Survivor.Status.ACTIVE, Survivor.Status.UNABLE_TO_REACH
    ):
        survivor.status = Survivor.Status.ENGAGED
    elif attempt.outcome == ContactAttempt.Outcome.REACHED_DECLINED and survivor.status == Survivor.Status.ACTIVE:
        survivor.status = Survivor.Status.DECLINED
    else:
        return
    survivor.save(update_fields=["status", "updated_at"])


def close_followup(followup, status, *, at=None):
    followup.status = status
    followup.closed_at = at or timezone.now()
    followup.save(update_fields=["status", "closed_at"])
    # Pending side effects of the clock no longer apply.
    followup.effects.filter(state=ScheduledEffect.State.PENDING).update(state=ScheduledEffect.State.SKIPPED)


def schedule_checkins(followup, first_contact_at):
    """Check-ins CHECKIN_DAYS after the first contact (not after the event)."""

    created = []
    for day in settings.CHECKIN_DAYS:
        target = first_contact_at + timedelta(days=day)
        checkin, was_created = FollowUp.objects.get_or_create(
            parent=followup,
            checkin_day=day,
            defaults={
                "kind": FollowUp.Kind.CHECKIN,
                "survivor": followup.survivor,
                "event": followup.event,
                "team": followup.team,
                "assigned_to": followup.assigned_to,
                "target_at": target,
                "deadline_at": target + timedelta(days=settings.CHECKIN_WINDOW_DAYS),
            },
        )
        if was_created:
            schedule_clock(checkin)
            created.append(checkin)
    return created
