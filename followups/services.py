"""Writes for follow-ups: opening them, assigning, logging contact attempts, check-ins."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from port.accounts.models import Team
from port.accounts.notify import notify_user
from port.accounts.roles import Role
from port.audit.services import record_event
from survivors.models import NaloxoneDistribution, Survivor

from .models import ContactAttempt, FollowUp, ScheduledEffect


def _hours(n):
    return timedelta(hours=n)


def clock_stages(followup):
    """[(stage, due_at)] of a follow-up's clock: due at the target, a warning (initial follow-ups
    only) at FOLLOWUP_WARNING_HOURS after the event, escalation at the deadline. The one rule
    for both `schedule_clock` and bulk imports."""

    start = followup.deadline_at - _hours(settings.FOLLOWUP_DEADLINE_HOURS)
    stages = [(ScheduledEffect.Stage.DUE, followup.target_at)]
    if followup.kind == FollowUp.Kind.INITIAL:
        stages.append((ScheduledEffect.Stage.WARNING, start + _hours(settings.FOLLOWUP_WARNING_HOURS)))
    stages.append((ScheduledEffect.Stage.ESCALATE, followup.deadline_at))
    return stages


def schedule_clock(followup):
    """The side effects of the 24/48/72-hour clock, as rows the sweep will claim (idempotent)."""

    for stage, due_at in clock_stages(followup):
        ScheduledEffect.objects.get_or_create(followup=followup, stage=stage, defaults={"due_at": due_at})


@transaction.atomic
def pick_assignee(team):
    """The team's on-call worker, else round-robin over its active outreach workers."""

    if team.on_call_worker_id and team.on_call_worker.is_active:
        return team.on_call_worker
    # Lock the team row so two events saved at once don't both go to the same worker.
    team = Team.objects.select_for_update().get(pk=team.pk)
    workers = list(team.members.filter(is_active=True, role=Role.OUTREACH).order_by("id"))
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
    if followup.assigned_to_id:
        notify_user(
            followup.assigned_to,
            key=f"followup:{followup.pk}:assigned:new",
            text=f"New {followup.get_kind_display().lower()} #{followup.pk} assigned to you.",
            url=reverse("followups:detail", args=[followup.pk]),
        )
    return followup


def assignable_workers(team):
    """Who a follow-up of this team may be assigned to: its active outreach workers and coordinators."""

    return team.members.filter(is_active=True, role__in=[Role.OUTREACH, Role.COORDINATOR]).order_by(
        "first_name", "last_name", "username"
    )


@transaction.atomic
def assign_followup(followup, worker, *, by, request=None):
    """Assign by hand (or automatically with `worker=None`: on call, else round-robin); logged."""

    if worker is None:
        worker = pick_assignee(followup.team)
    elif not assignable_workers(followup.team).filter(pk=worker.pk).exists():
        raise ValidationError(f"{worker} is not an outreach worker or coordinator of {followup.team}.")
    previous = followup.assigned_to
    if previous == worker:
        return followup
    followup.assigned_to = worker
    followup.save(update_fields=["assigned_to"])
    audit = record_event(
        request, "change", followup, user=by,
        detail=f"assigned from user {previous.pk if previous else '-'} to user {worker.pk if worker else '-'}",
    )
    if worker is not None and worker != by:
        notify_user(
            worker,
            key=f"followup:{followup.pk}:assigned:{audit.pk}",
            text=f"{followup.get_kind_display()} #{followup.pk} was assigned to you.",
            url=reverse("followups:detail", args=[followup.pk]),
        )
    return followup


@transaction.atomic
def log_contact_attempt(
    followup, *, by, request=None, team_members=(), family_members_met=(), send_fallback=False, **fields
):
    """Record one try. Reaching the person closes the follow-up and schedules the check-ins.

    A visit that was not possible sends the fallback contact when `send_fallback` (the
    form's box) asks for it; `attempt.fallback_message` is the queued Message or None.
    After FOLLOWUP_MAX_ATTEMPTS unreached tries the closing is proposed to the coordinators.
    """

    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    attempt = ContactAttempt.objects.create(followup=followup, performed_by=by, **fields)
    attempt.fallback_message = None
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
        else:
            if send_fallback and visit_was_not_possible(attempt):
                from followups.messaging.services import queue_fallback_contact

                attempt.fallback_message = queue_fallback_contact(
                    followup, reason="visit_not_possible", stage="visit", by=by
                )
            _propose_closing_at_max_attempts(followup)
    return attempt


def visit_was_not_possible(attempt):
    return attempt.method == ContactAttempt.Method.VISIT and attempt.outcome in ContactAttempt.VISIT_NOT_POSSIBLE


def unreached_attempt_count(followup):
    return followup.attempts.exclude(outcome__in=ContactAttempt.REACHED).count()


def _propose_closing_at_max_attempts(followup):
    if followup.closing_proposed_at or unreached_attempt_count(followup) < settings.FOLLOWUP_MAX_ATTEMPTS:
        return
    followup.closing_proposed_at = timezone.now()
    followup.save(update_fields=["closing_proposed_at"])
    from .effects import coordinators_of

    for user in coordinators_of(followup.team):
        notify_user(
            user,
            key=f"followup:{followup.pk}:propose_close:{user.pk}",
            text=f"{followup.get_kind_display()} #{followup.pk} had {settings.FOLLOWUP_MAX_ATTEMPTS} attempts "
            "without reaching anyone: confirm closing as unable to reach.",
            url=reverse("followups:detail", args=[followup.pk]),
        )


@transaction.atomic
def confirm_unable_to_reach(followup, *, by, request=None):
    """The coordinator's confirmation of a proposed closing: closed, unable to reach."""

    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if not followup.is_open:
        raise ValidationError("This follow-up is already closed.")
    if unreached_attempt_count(followup) < settings.FOLLOWUP_MAX_ATTEMPTS:
        raise ValidationError(
            f"A follow-up closes as unable to reach after {settings.FOLLOWUP_MAX_ATTEMPTS} attempts; "
            "log the remaining attempts first."
        )
    close_followup(followup, FollowUp.Status.CLOSED_UNREACHED)
    if followup.survivor_id:
        Survivor.objects.filter(
            pk=followup.survivor_id, status__in=[Survivor.Status.ACTIVE, Survivor.Status.ENGAGED]
        ).update(status=Survivor.Status.UNABLE_TO_REACH, updated_at=timezone.now())
    record_event(request, "change", followup, user=by, detail="closed: unable to reach (confirmed)")
    return followup


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
    """Check-ins CHECKIN_DAYS after the first contact (not after the event).

    Days are calendar days in the program's time zone: a contact at 2 pm is checked on at
    2 pm, across a daylight-saving change too.
    """

    created = []
    first_contact_at = timezone.localtime(first_contact_at)
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
