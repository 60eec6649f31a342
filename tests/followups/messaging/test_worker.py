"""The whole path through a real Celery worker on Redis: a visit that wasn't possible -> one text at Twilio."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from followups.messaging import sending
from followups.messaging.models import Message
from followups.services import log_contact_attempt
from port.celery import app as celery_app
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_visit_logged_as_not_possible_sends_exactly_one_text_through_the_worker(
    fake_twilio, twilio_settings, templates, followup, worker
):
    # The worker runs on the real clock: no quiet hours, whatever the hour the suite runs at.
    twilio_settings.QUIET_HOURS_START = twilio_settings.QUIET_HOURS_END = "00:00"
    assert not celery_app.conf.task_always_eager and celery_app.conf.broker_url.startswith("redis://")
    celery_app.control.purge()  # this run's private queue starts empty
    with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
        attempt = log_contact_attempt(followup, by=worker, method="visit", outcome="not_home", send_fallback=True)
        message = attempt.fallback_message

        assert fake_twilio.wait_for(1, timeout=30), "the worker never called Twilio"
        assert wait_until(lambda: Message.objects.get(pk=message.pk).status == Message.Status.SENT)
        # The periodic task and a redelivered task find nothing left to send.
        sending.send_due_messages()
        celery_app.send_task("followups.messaging.tasks.send_message", args=[str(message.pk)])
        time.sleep(2)

    [text] = fake_twilio.texts()
    assert text.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert text.one("To") == "+12025550142" and "Maria" in text.one("Body")
    assert text.one("StatusCallback").endswith(f"/messages/twilio/status/{message.pk}/")
    message.refresh_from_db()
    assert message.twilio_sid == text.sid
    assert followup.attempts.filter(method="text", outcome="sent").count() == 1
