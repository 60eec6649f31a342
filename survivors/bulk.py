"""Bulk twins of single-row writes, for the importer: a few statements per chunk, not per row.

`open_followups_in_bulk` follows the rules of followups.services.open_followups_for_event
(which kind, target and deadline, round-robin assignment, the audit row) and takes the clock's
stages from followups.services.clock_stages;
tests/survivors/test_bulk_followups.py checks that both give the same rows. Instead of one
notification per follow-up, the importer tells each worker once how many they were given.
"""

from datetime import timedelta

from django.conf import settings

from port.accounts.models import Team
from port.accounts.roles import Role
from port.audit.models import AuditEvent


def audit_created(objects, *, by, detail="", survivor_id_of=None):
    """One 'create' audit row per object, in one statement (as record_event would write them)."""

    survivor_id_of = survivor_id_of or (
        lambda o: o.pk if o.__class__.__name__ == "Survivor" else getattr(o, "survivor_id", None)
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                user=by, role=getattr(by, "role", "") if by else "", action="create",
                object_type=o._meta.label_lower, object_id=str(o.pk), survivor_id=survivor_id_of(o), detail=detail,
            )
            for o in objects
        ],
        batch_size=2000,
    )


def _assignees(team, count):
    """Who gets each of `count` new follow-ups: the on-call worker, else round-robin."""

    if count == 0:
        return []
    if team.on_call_worker_id and team.on_call_worker.is_active:
        return [team.on_call_worker] * count
    # Locked, as pick_assignee does, so a form saved meanwhile doesn't take the same turn.
    team = Team.objects.select_for_update().get(pk=team.pk)
    workers = list(team.members.filter(is_active=True, role=Role.OUTREACH).order_by("id"))
    if not workers:
        return [None] * count
    last = team.last_assigned_worker_id
    start = next((i for i, w in enumerate(workers) if last is not None and w.id > last), 0)
    chosen = [workers[(start + i) % len(workers)] for i in range(count)]
    team.last_assigned_worker = chosen[-1]
    team.save(update_fields=["last_assigned_worker"])
    return chosen


def _kind_for(event):
    from followups.models import FollowUp

    if event.is_fatal:
        return FollowUp.Kind.FAMILY_SUPPORT
    if event.survivor_id is not None:
        return FollowUp.Kind.INITIAL
    return None


def open_followups_in_bulk(events, *, by=None):
    """The initial (or family-support) follow-up of each event that needs one, with its clock."""

    from followups.models import FollowUp, ScheduledEffect
    from followups.services import clock_stages

    hours = lambda n: timedelta(hours=n)  # noqa: E731
    wanted = [(event, kind) for event in events if (kind := _kind_for(event))]
    existing = set(
        FollowUp.objects.filter(event__in=[e for e, _ in wanted], kind__in=[k for _, k in wanted]).values_list(
            "event_id", "kind"
        )
    )
    wanted = [(e, k) for e, k in wanted if (e.pk, k) not in existing]
    by_team = {}
    for event, kind in wanted:
        by_team.setdefault(event.team_id, []).append((event, kind))
    followups = []
    for group in by_team.values():
        team = group[0][0].team
        for (event, kind), worker in zip(group, _assignees(team, len(group)), strict=True):
            followups.append(
                FollowUp(
                    event=event, survivor_id=event.survivor_id, team_id=event.team_id, kind=kind,
                    target_at=event.occurred_at + hours(settings.FOLLOWUP_TARGET_HOURS),
                    deadline_at=event.occurred_at + hours(settings.FOLLOWUP_DEADLINE_HOURS),
                    assigned_to=worker,
                )
            )
    FollowUp.objects.bulk_create(followups, batch_size=2000)
    effects = [
        ScheduledEffect(followup=f, stage=stage, due_at=due_at) for f in followups for stage, due_at in clock_stages(f)
    ]
    ScheduledEffect.objects.bulk_create(effects, batch_size=2000)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                user=by, role=by.role if by else "", action="create", object_type=f._meta.label_lower,
                object_id=str(f.pk), survivor_id=f.survivor_id, detail=f"opened {f.kind}",
            )
            for f in followups
        ],
        batch_size=2000,
    )
    return followups
