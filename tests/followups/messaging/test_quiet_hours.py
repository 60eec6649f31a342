"""Quiet hours (21:00-08:00 in the program's time zone): texts wait for the morning, never drop."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from followups.messaging import sending
from followups.messaging.models import Message
from followups.messaging.quiet_hours import quiet_until
from followups.messaging.services import queue_fallback_contact, queue_staff_text
from port.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("templates")]

NY = ZoneInfo("America/New_York")


def at(hour, minute=0, day=24):
    return datetime(2026, 11, day, hour, minute, tzinfo=NY)


def test_a_fallback_at_night_waits_until_the_morning_then_goes_out(fake_twilio, followup):
    with time_machine.travel(at(23, 30), tick=False) as clock:
        message = queue_fallback_contact(followup, reason="test", stage="warning")
        assert message.status == Message.Status.DEFERRED
        assert message.send_after == at(8, 0, day=25)
        assert sending.send_message(message.pk) is None
        assert "Quiet hours: goes out Wed 08:00" in message.status_note

        clock.move_to(at(7, 59, day=25))
        assert sending.send_due_messages() == 0
        clock.move_to(at(8, 1, day=25))
        assert sending.send_due_messages() == 1
        assert sending.send_message(message.pk) == Message.Status.SENT
    assert len(fake_twilio.texts()) == 1


def test_a_retry_that_falls_into_quiet_hours_waits_for_the_morning(fake_twilio, followup):
    fake_twilio.then(429, code=20429)
    with time_machine.travel(datetime(2026, 11, 24, 20, 59, 50, tzinfo=NY), tick=False) as clock:
        message = queue_fallback_contact(followup, reason="test", stage="visit")
        sending.send_message(message.pk)
        clock.move_to(at(21, 5))
        assert sending.send_message(message.pk) is None
        message.refresh_from_db()
        assert message.status == Message.Status.DEFERRED and message.send_after == at(8, 0, day=25)
    assert len(fake_twilio.requests) == 1


def test_staff_texts_are_not_held_by_quiet_hours(fake_twilio, team):
    coordinator = UserFactory(role=Role.COORDINATOR, teams=[team], phone="+12025550188")
    with time_machine.travel(at(23, 0), tick=False):
        message = queue_staff_text(coordinator, text="A follow-up passed its deadline.", key="staff:night")
        assert message.status == Message.Status.QUEUED


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        ("21:00", "08:00", at(20, 59), None),
        ("21:00", "08:00", at(21, 0), at(8, 0, day=25)),
        ("21:00", "08:00", at(3, 0), at(8, 0)),
        ("21:00", "08:00", at(8, 0), None),
        ("12:00", "13:30", at(12, 15), at(13, 30)),
        ("00:00", "00:00", at(3, 0), None),
    ],
)
def test_quiet_hours_follow_the_settings_in_the_programs_time_zone(settings, start, end, now, until):
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = start, end
    assert quiet_until(now) == until
