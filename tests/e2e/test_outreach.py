"""Outreach worker on a tablet: the worklist and its clock, a visit that was not possible and its
fallback text, then the person reached with naloxone and a warm hand-off to treatment."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from followups.messaging.defaults import DEFAULTS
from followups.messaging.models import Message, MessageTemplate
from followups.models import ContactAttempt, FollowUp
from port.accounts.roles import Role
from referrals.models import Referral
from survivors.models import Consent
from survivors.services import create_survivor, record_overdose_event
from tests.factories import OrganizationFactory, ServiceFactory, UserFactory
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio

from .conftest import PHONE_320, TABLET


@pytest.fixture
def afternoon():
    """Two in the afternoon, program time: texts go out now, not after quiet hours."""

    with time_machine.travel(timezone.localtime().replace(hour=14, minute=0, second=0), tick=True):
        yield


@pytest.fixture
def fake_twilio(settings, afternoon, celery_worker_thread):
    """The real Twilio backend and SDK, sending to a fake Twilio; a real worker sends the queued row."""

    fake = FakeTwilio().start()
    settings.MESSAGING_BACKEND = "followups.messaging.backends.TwilioBackend"
    settings.TWILIO_API_BASE_URL = fake.url
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_API_KEY_SID = settings.TWILIO_API_KEY_SECRET = settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.PROGRAM_PHONE = "+12025550123"
    for name, channel, language, body in DEFAULTS:  # an earlier test's flush removes the migration's rows
        MessageTemplate.objects.get_or_create(name=name, channel=channel, language=language, defaults={"body": body})
    yield fake
    fake.stop()


@pytest.fixture
def worker(team):
    return UserFactory(role=Role.OUTREACH, teams=[team], username="olivia", first_name="Olivia", last_name="Ortiz")


@pytest.fixture
def followup(team, worker):
    coordinator = UserFactory(role=Role.COORDINATOR, teams=[team])
    survivor = create_survivor(
        by=coordinator, team=team, legal_first_name="Dana", legal_last_name="Whitfield",
        phone="+12025550142", safe_to_text=True, address="12 Maple Ave", city="Springfield", zip_code="45011",
    )
    event = record_overdose_event(
        by=coordinator, team=team, survivor=survivor, occurred_at=timezone.now() - timedelta(hours=29, minutes=30),
        source="ems", source_incident_number="EMS-2026-0042",
    )
    followup = event.followups.get()
    followup.assigned_to = worker
    followup.save(update_fields=["assigned_to"])
    clinic = OrganizationFactory(name="Harbor Recovery Clinic")
    ServiceFactory(organization=clinic, category="moud", name="Buprenorphine same-day start")
    Consent.objects.create(
        survivor=survivor, kind=Consent.Kind.SHARE, organization=clinic, given_at=timezone.now() - timedelta(hours=29),
        purpose="Referral to treatment", created_by=coordinator,
    )
    return followup


def tap_choice(page, fieldset_id, label):
    page.locator(f"#{fieldset_id}").get_by_text(label, exact=True).tap()


@pytest.mark.worker
def test_outreach_worker_logs_two_attempts_and_a_warm_hand_off_on_a_tablet(
    fake_twilio, open_journey, login, worker, followup
):
    journey = open_journey("outreach", TABLET)
    page = journey.page
    login(journey, worker)

    # The worklist: the person, and the time left on the 72-hour clock.
    assert journey.path() == reverse("followups:worklist")
    item = page.get_by_test_id("worklist-item")
    assert item.count() == 1
    assert "Dana Whitfield" in item.inner_text()
    assert item.get_by_test_id("clock").inner_text() == "42 h left"
    journey.check("worklist")

    # First attempt: nobody home.
    journey.submit(item.get_by_role("link", name="Log a visit or call"), tap=True)
    page.get_by_role("heading", name="Log a contact attempt").wait_for()
    journey.check("attempt form")
    tap_choice(page, "fieldset-method", "In-person visit")
    tap_choice(page, "fieldset-outcome", "Not home")
    page.get_by_label("Send the fallback text or call now").wait_for()
    journey.check("visit not possible", weigh=False)
    journey.submit(page.get_by_role("button", name="Save"), tap=True)
    assert journey.path() == reverse("followups:detail", args=[followup.pk])
    status = page.get_by_role("status").inner_text()
    assert "In-person visit logged: not home." in status
    assert "The fallback contact is on its way." in status
    journey.check("follow-up after the first attempt")

    # The worker sends the discreet text through Twilio: exactly one request, saying nothing of why.
    assert fake_twilio.wait_for(1), "the fallback text never reached Twilio"
    [request] = fake_twilio.texts()
    assert request.one("To") == "+12025550142"
    assert "Dana" in request.one("Body") and "overdose" not in request.one("Body").lower()
    journey.goto(reverse("followups:detail", args=[followup.pk]))
    assert page.get_by_test_id("attempt").filter(has_text="Text message: Message sent").count() == 1
    journey.check("follow-up with the text sent")

    # Second attempt: reached, two naloxone kits.
    journey.submit(page.get_by_role("link", name="Log a visit or call"), tap=True)
    page.get_by_role("heading", name="Log a contact attempt").wait_for()
    tap_choice(page, "fieldset-method", "In-person visit")
    tap_choice(page, "fieldset-outcome", "Reached, engaged")
    assert page.locator("#fallback-box").is_hidden()
    page.get_by_label("Naloxone kits given").fill("2")
    journey.check("reached with naloxone", weigh=False)
    journey.submit(page.get_by_role("button", name="Save"), tap=True)
    assert journey.path() == reverse("followups:detail", args=[followup.pk])
    assert "The follow-up is closed" in page.get_by_role("status").inner_text()
    assert page.locator("#status").inner_text().startswith("Reached")
    reached = page.get_by_test_id("attempt").filter(has_text="Reached, engaged")
    assert "2 naloxone kits" in reached.inner_text()
    journey.check("follow-up reached")

    # The warm hand-off to treatment, from the attempt that reached the person.
    journey.submit(reached.get_by_role("link", name="Make a referral"), tap=True)
    service = page.get_by_label("Organisation and service")
    service.select_option(service.locator("option", has_text="Buprenorphine same-day start").get_attribute("value"))
    page.get_by_text("Warm hand-off: accompanied", exact=True).tap()
    journey.check("referral form")
    journey.submit(page.get_by_role("button", name="Record the referral"), tap=True)
    journey.check("referral made")

    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.REACHED
    attempts = list(followup.attempts.order_by("pk"))
    assert [(a.method, a.outcome) for a in attempts] == [
        (ContactAttempt.Method.VISIT, ContactAttempt.Outcome.NOT_HOME),
        (ContactAttempt.Method.TEXT, ContactAttempt.Outcome.SENT),
        (ContactAttempt.Method.VISIT, ContactAttempt.Outcome.REACHED_ENGAGED),
    ]
    assert attempts[2].naloxone_kits == 2
    assert len(fake_twilio.requests) == 1, "one text, and nothing more, went to Twilio"
    assert Message.objects.get().twilio_sid == request.sid
    referral = Referral.objects.get(survivor=followup.survivor)
    assert referral.handoff == Referral.Handoff.ACCOMPANIED
    assert referral.shares_identity and not referral.identity_withheld
    assert referral.contact_attempt == attempts[2]


def test_the_contact_attempt_form_works_by_keyboard_alone(open_journey, login, worker, followup):
    journey = open_journey("outreach-keyboard", TABLET)
    page = journey.page
    login(journey, worker, check=False)
    journey.goto(reverse("followups:log_attempt", args=[followup.pk]))

    # From the top of the page: the skip link first, then into the form without the mouse.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => ({value: document.activeElement.value || '', name: document.activeElement.name || '',"
            " type: document.activeElement.type || '', text: document.activeElement.textContent.trim()})"
        )
        reached.append(focused)
        if focused["name"] == "method":
            assert focused["value"] == "visit", "the method group starts on the visit (already chosen)"
        if focused["name"] == "outcome" and not page.locator("input[name=outcome]:checked").count():
            page.keyboard.press("Space")  # the first outcome: reached, engaged
        if focused["name"] == "naloxone_kits":
            page.keyboard.type("1")
        if focused["text"] == "Save":
            break
    else:
        raise AssertionError(f"Tab never reached the Save button: {reached}")
    names = {f["name"] for f in reached}
    for field in ("method", "outcome", "at", "naloxone_kits", "test_strips", "left_behind", "notes"):
        assert field in names, f"the {field} field can't be reached with Tab"
    journey.screenshot("keyboard on save")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert journey.path() == reverse("followups:detail", args=[followup.pk])
    attempt = followup.attempts.get()
    assert attempt.outcome == ContactAttempt.Outcome.REACHED_ENGAGED
    assert attempt.naloxone_kits == 1
    journey.check("saved by keyboard")


def test_a_missing_outcome_is_announced_and_nothing_typed_is_lost(open_journey, login, worker, followup):
    journey = open_journey("outreach-errors", TABLET)
    page = journey.page
    login(journey, worker, check=False)
    journey.goto(reverse("followups:log_attempt", args=[followup.pk]))
    page.get_by_label("Naloxone kits given").fill("3")
    page.get_by_label("Notes").fill("Spoke to a neighbour.")
    journey.submit(page.get_by_role("button", name="Save"), tap=True)

    alerts = page.get_by_role("alert").all_inner_texts()
    assert any("nothing you entered was lost" in text for text in alerts), alerts
    outcome = page.get_by_role("group", name="Outcome")
    assert page.evaluate("() => document.activeElement.name") == "outcome", "focus moves to the field to fix"
    described_by = outcome.get_attribute("aria-describedby")
    assert "This field is required" in page.locator(f"#{described_by}").inner_text()
    assert page.get_by_label("Naloxone kits given").input_value() == "3"
    assert page.get_by_label("Notes").input_value() == "Spoke to a neighbour."
    assert not followup.attempts.exists()
    journey.check("attempt form with an error")


def test_the_outreach_pages_fit_a_320_px_screen(open_journey, login, worker, followup):
    journey = open_journey("outreach-320px", PHONE_320)
    page = journey.page
    login(journey, worker)
    journey.assert_fits_width(320, "the worklist")
    journey.check("worklist at 320 px")
    for label, url in [
        ("the follow-up page", reverse("followups:detail", args=[followup.pk])),
        ("the contact-attempt form", reverse("followups:log_attempt", args=[followup.pk])),
    ]:
        journey.goto(url)
        journey.assert_fits_width(320, label)
        journey.check(f"{label} at 320 px")
    tap_choice(page, "fieldset-outcome", "Not home")
    journey.assert_fits_width(320, "the contact-attempt form with the fallback switch")
