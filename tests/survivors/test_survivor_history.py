"""A long history: the survivor page shows its latest part, the history page all of it, a page at a time."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from tests.factories import ContactAttemptFactory, FollowUpFactory, OverdoseEventFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def add_history(survivor, count, *, first_days_ago=800):
    """`count` overdoses ten days apart, oldest first (#H-1, #H-2 ...), each followed up and reached."""

    events, earlier = [], survivor.events.count()
    for i in range(count):
        event = OverdoseEventFactory(
            survivor=survivor, team=survivor.team, source_incident_number=f"H-{earlier + i + 1}",
            occurred_at=timezone.now() - timedelta(days=first_days_ago - 10 * i), substances=["fentanyl"],
        )
        followup = FollowUpFactory(event=event, status=FollowUp.Status.REACHED)
        ContactAttemptFactory(followup=followup, outcome="reached_engaged", at=event.occurred_at + timedelta(hours=30))
        events.append(event)
    return events


def event_ids(html):
    return [int(pk) for pk in re.findall(r'<li class="list-group-item" id="event-(\d+)"', html)]


def followup_ids(html):
    return {int(pk) for pk in re.findall(r'id="survivor-followup-(\d+)"', html)}


def followup_of(event):
    return FollowUp.objects.get(event=event)


def test_a_long_history_shows_the_latest_10_events_their_followups_and_every_open_one(client, login, users, team):
    survivor = SurvivorFactory(team=team)
    events = add_history(survivor, 12)
    still_open = FollowUpFactory(event=events[0], kind=FollowUp.Kind.FAMILY_SUPPORT)  # of the first event
    login(users[Role.COORDINATOR])

    html = client.get(reverse("survivors:detail", args=[survivor.pk])).content.decode()

    assert event_ids(html) == [e.pk for e in events[2:]]  # the latest ten, oldest of them first
    assert "the latest 10 of 12" in html and "11. <a" in html and "12. <a" in html
    assert followup_ids(html) == {followup_of(e).pk for e in events[2:]} | {still_open.pk}
    history = reverse("survivors:history", args=[survivor.pk])
    assert f'href="{history}"' in html and "Show all 12 events and 13 follow-ups" in html


def test_a_short_history_is_all_on_the_survivor_page(client, login, users, team):
    survivor = SurvivorFactory(team=team)
    events = add_history(survivor, 3)
    login(users[Role.OUTREACH])

    html = client.get(reverse("survivors:detail", args=[survivor.pk])).content.decode()

    assert event_ids(html) == [e.pk for e in events]
    assert followup_ids(html) == {followup_of(e).pk for e in events}
    assert reverse("survivors:history", args=[survivor.pk]) not in html and "the latest" not in html


def test_the_history_shows_every_event_20_a_page_with_its_followups_and_attempts(client, login, users, team):
    survivor = SurvivorFactory(team=team)
    events = add_history(survivor, 23)
    referral_check = FollowUpFactory(event=None, survivor=survivor, team=team, kind=FollowUp.Kind.REFERRAL_CHECK,
                                     target_at=timezone.now(), deadline_at=timezone.now() + timedelta(days=7))
    login(users[Role.OUTREACH])
    url = reverse("survivors:history", args=[survivor.pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert event_ids(first) == [e.pk for e in events[:20]] and "1. <a" in first and "Page 1 of 2" in first
    assert event_ids(second) == [e.pk for e in events[20:]] and "21. <a" in second
    assert followup_ids(first) == {followup_of(e).pk for e in events[:20]} | {referral_check.pk}
    assert followup_ids(second) == {followup_of(e).pk for e in events[20:]}
    assert "Reached, engaged" in second and "#H-23" in second


def test_opening_the_history_is_audited(client, login, users, team):
    survivor = SurvivorFactory(team=team)
    add_history(survivor, 2)
    user = users[Role.OUTREACH]
    login(user)

    client.get(reverse("survivors:history", args=[survivor.pk]))

    views = AuditEvent.objects.filter(user=user, action="view", survivor_id=survivor.pk, detail="full history")
    assert views.count() == 1


def test_a_partner_sees_the_history_without_clinical_detail(client, login, users, team):
    survivor = SurvivorFactory(team=team)
    [event] = add_history(survivor, 1)
    login(users[Role.PARTNER])

    html = client.get(reverse("survivors:history", args=[survivor.pk])).content.decode()

    assert "#H-1" in html and f'id="survivor-followup-{followup_of(event).pk}"' in html
    assert "fentanyl" not in html
    assert reverse("followups:detail", args=[followup_of(event).pk]) not in html


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OUTREACH, Role.PARTNER])
def test_the_history_of_someone_the_user_may_not_see_is_not_found(client, login, users, team, other_team, role):
    stranger = SurvivorFactory(team=other_team)
    deleted = SurvivorFactory(team=team, deleted_at=timezone.now())
    add_history(stranger, 2)
    login(users[role])

    for survivor in (stranger, deleted):
        assert client.get(reverse("survivors:history", args=[survivor.pk])).status_code == 404
    assert not AuditEvent.objects.filter(detail="full history").exists()
