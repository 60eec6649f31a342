"""A second overdose within REPEAT_OVERDOSE_DAYS flags the survivor high risk, on every list."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from port.accounts.roles import Role
from survivors.services import record_overdose_event

pytestmark = pytest.mark.django_db
START = timezone.make_aware(datetime(2026, 1, 5, 22, 0))


def overdose(coordinator, survivor, at, number):
    return record_overdose_event(by=coordinator, team=survivor.team, survivor=survivor, occurred_at=at,
                                 source="ems", source_incident_number=number)


def test_a_second_event_within_90_days_flags_the_survivor(coordinator, person):
    survivor = person()
    with time_machine.travel(START + timedelta(days=200)):
        overdose(coordinator, survivor, START, "A")
        survivor.refresh_from_db()
        assert not survivor.high_risk
        overdose(coordinator, survivor, START + timedelta(days=89), "B")
    survivor.refresh_from_db()
    assert survivor.high_risk and "Repeat overdose within 90 days" in survivor.high_risk_reason


def test_two_events_further_apart_do_not(coordinator, person):
    survivor = person()
    with time_machine.travel(START + timedelta(days=200)):
        overdose(coordinator, survivor, START, "A")
        overdose(coordinator, survivor, START + timedelta(days=91), "B")
    survivor.refresh_from_db()
    assert not survivor.high_risk


def test_the_flag_shows_on_the_list_and_the_page(client, login, users, coordinator, person):
    survivor = person(legal_last_name="Quill")
    overdose(coordinator, survivor, timezone.now() - timedelta(days=30), "A")
    overdose(coordinator, survivor, timezone.now() - timedelta(days=1), "B")
    login(users[Role.OUTREACH])
    assert "High risk" in client.get(reverse("survivors:list")).content.decode()
    assert "High risk" in client.get(reverse("survivors:detail", args=[survivor.pk])).content.decode()
