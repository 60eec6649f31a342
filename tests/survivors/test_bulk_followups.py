"""The importer's bulk follow-up opening gives the same rows as the form's one-by-one opening."""

from datetime import timedelta

import pytest
from django.utils import timezone

from followups.models import FollowUp
from followups.services import open_followups_for_event
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from survivors.bulk import open_followups_in_bulk
from tests.factories import OverdoseEventFactory, SurvivorFactory, UserFactory

pytestmark = pytest.mark.django_db


def shape(followup):
    start = followup.event.occurred_at
    return (
        followup.kind,
        followup.survivor_id == followup.event.survivor_id,
        followup.target_at - start,
        followup.deadline_at - start,
        sorted((e.stage, e.due_at - start, e.state) for e in followup.effects.all()),
        AuditEvent.objects.filter(object_type="followups.followup", object_id=str(followup.pk)).values_list(
            "action", "detail"
        ).get(),
    )


def events(team, tag):
    at = timezone.now() - timedelta(hours=5)
    survivor = SurvivorFactory(team=team)
    return [
        OverdoseEventFactory(survivor=survivor, team=team, occurred_at=at, source_incident_number=f"{tag}-1"),
        OverdoseEventFactory(survivor=survivor, team=team, occurred_at=at, outcome="fatal",
                             source_incident_number=f"{tag}-2"),
        OverdoseEventFactory(survivor=None, team=team, occurred_at=at, source_incident_number=f"{tag}-3"),
        OverdoseEventFactory(survivor=SurvivorFactory(team=team), team=team, occurred_at=at,
                             source_incident_number=f"{tag}-4"),
    ]


def test_bulk_and_one_by_one_open_the_same_follow_ups_with_the_same_clock_and_assignees(users, team):
    UserFactory(role=Role.OUTREACH, teams=[team])
    one_by_one = events(team, "A")
    for event in one_by_one:
        open_followups_for_event(event, by=users[Role.COORDINATOR])
    in_bulk = events(team, "B")
    open_followups_in_bulk(in_bulk, by=users[Role.COORDINATOR])

    def followups(evs):
        return [FollowUp.objects.filter(event=e).first() for e in evs]

    singles, bulks = followups(one_by_one), followups(in_bulk)
    assert [f is None for f in singles] == [f is None for f in bulks] == [False, False, True, False]
    assert [shape(f) for f in singles if f] == [shape(f) for f in bulks if f]
    # Round-robin goes on where it was, over the team's outreach workers in turn.
    workers = list(team.members.filter(role=Role.OUTREACH).order_by("id"))
    assigned = [f.assigned_to for f in singles + bulks if f]
    assert assigned == [workers[i % len(workers)] for i in range(len(assigned))]


def test_bulk_opening_is_idempotent(users, team):
    evs = events(team, "C")
    open_followups_in_bulk(evs, by=None)
    open_followups_in_bulk(evs, by=None)
    assert FollowUp.objects.count() == 3
