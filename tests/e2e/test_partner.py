"""Partner (limited) on a tablet: sees who to visit and when, never clinical detail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from port.accounts.roles import Role
from survivors.services import create_survivor, record_overdose_event
from tests.factories import UserFactory

from .conftest import TABLET


@pytest.fixture
def visit(team):
    coordinator = UserFactory(role=Role.COORDINATOR, teams=[team])
    worker = UserFactory(role=Role.OUTREACH, teams=[team], first_name="Olivia", last_name="Outreach")
    survivor = create_survivor(
        by=coordinator, team=team, legal_first_name="Dana", legal_last_name="Whitfield",
        phone="+12025550142", address="12 Maple Ave", zip_code="45011", notes="Uses alone; prefers mornings.",
    )
    event = record_overdose_event(
        by=coordinator, team=team, survivor=survivor, occurred_at=timezone.now() - timedelta(hours=5),
        source="ems", source_incident_number="EMS-2026-0042", substances=["fentanyl", "xylazine"],
    )
    followup = event.followups.get()
    followup.assigned_to = worker
    followup.save(update_fields=["assigned_to"])
    return followup


def test_partner_sees_the_visit_list_on_a_tablet(open_journey, login, team, visit):
    partner = UserFactory(role=Role.PARTNER, teams=[team], username="officer.reyes")
    journey = open_journey("partner", TABLET)
    login(journey, partner)
    page = journey.page
    assert journey.path() == "/followups/visits/"
    page.get_by_role("heading", name="Visits").wait_for()
    assert page.get_by_text("Dana Whitfield").is_visible()
    journey.check("visit list")
