"""Partner (limited) on a tablet: sees who to visit and when, never clinical detail."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from port.accounts.roles import Role
from referrals.models import Referral
from survivors.services import create_survivor, record_overdose_event
from tests.factories import OrganizationFactory, UserFactory

from .conftest import TABLET

# What a partner must never read: substances, clinical notes, referrals.
CLINICAL_WORDS = ["fentanyl", "xylazine", "Uses alone", "Hope Recovery", "MOUD", "buprenorphine"]


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
    referral = Referral.objects.create(
        survivor=survivor, team=team, organization=OrganizationFactory(name="Hope Recovery Clinic"), category="moud",
        notes="Started buprenorphine.",
    )
    return followup, referral


@pytest.fixture
def partner(team):
    return UserFactory(role=Role.PARTNER, teams=[team], username="officer.reyes")


def test_a_mistyped_password_is_announced_and_the_username_kept(open_journey, partner):
    journey = open_journey("partner-login", TABLET)
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_label("Username").fill(partner.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_label("Password").press("Enter")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "correct username and password" in alert.inner_text()
    assert page.get_by_label("Username").input_value() == "officer.reyes"
    journey.check("login error")


def test_partner_sees_who_to_visit_and_never_clinical_detail(open_journey, login, visit, partner):
    followup, referral = visit
    journey = open_journey("partner", TABLET)
    page = journey.page
    login(journey, partner)

    assert journey.path() == reverse("followups:visits")
    card = page.get_by_test_id("visit-item")
    assert card.count() == 1
    assert "Dana Whitfield" in card.inner_text()
    assert "12 Maple Ave" in card.inner_text()
    assert "Olivia Outreach" in card.inner_text()
    assert_nothing_clinical(page, "the visit list")
    journey.check("visit list")

    # Typing the address of a clinical page gets a refusal, never the page.
    journey.allowed_error_statuses = {403, 404}
    for label, url in [
        ("follow-up page", reverse("followups:detail", args=[followup.pk])),
        ("log an attempt", reverse("followups:log_attempt", args=[followup.pk])),
        ("referral page", reverse("referrals:detail", args=[referral.pk])),
    ]:
        response = page.goto(journey.url(url))
        assert response.status in (403, 404), f"a partner opened the {label}: {response.status}"
        assert_nothing_clinical(page, f"the refused {label}")
        journey.check(f"{label} refused")

    # The person's own page and the event's: who and where at most, never what was taken or said.
    for label, url in [
        ("survivor page", reverse("survivors:detail", args=[followup.survivor_id])),
        ("event page", reverse("survivors:event_detail", args=[followup.event_id])),
    ]:
        response = page.goto(journey.url(url))
        assert response.status in (200, 403, 404), f"the {label} answered {response.status}"
        assert_nothing_clinical(page, f"the {label}")
        journey.check(label)


def assert_nothing_clinical(page, where):
    html = page.content()
    for word in CLINICAL_WORDS:
        assert word not in html, f"{where} shows {word!r} to a partner"
