"""Outbound texts and calls through the real Twilio SDK, against a fake Twilio at the HTTP boundary."""

import pytest
from django.test import Client
from django.utils import timezone

from followups.messaging import sending
from followups.messaging.models import Message
from followups.messaging.services import queue_fallback_contact, queue_staff_text, start_bridge_call
from followups.models import ContactAttempt
from followups.services import log_contact_attempt
from port.accounts.roles import Role
from tests.factories import UserFactory
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER

from .conftest import PUBLIC_BASE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("templates", "afternoon")]

MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
CALLS_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"


def status_url(message):
    return f"{PUBLIC_BASE_URL}/messages/twilio/status/{message.pk}/"


def test_a_visit_that_was_not_possible_texts_the_person_through_twilio(fake_twilio, followup, worker):
    attempt = log_contact_attempt(followup, by=worker, method="visit", outcome="not_home", send_fallback=True)
    message = attempt.fallback_message
    assert message.status == Message.Status.QUEUED and fake_twilio.requests == []  # a row before any call

    assert sending.send_message(message.pk) == Message.Status.SENT

    [request] = fake_twilio.requests
    assert request.path == MESSAGES_PATH
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.one("To") == "+12025550142"
    assert request.one("From") == FROM_NUMBER
    assert request.one("StatusCallback") == status_url(message)
    body = request.one("Body")
    assert "Maria" in body and "Dana" in body and "(202) 555-0123" in body
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.twilio_sid == request.sid


def test_the_text_counts_as_a_contact_attempt_once_it_went_out(fake_twilio, followup, worker):
    message = queue_fallback_contact(followup, reason="test", stage="visit", by=worker)
    assert not followup.attempts.filter(method=ContactAttempt.Method.TEXT).exists()
    sending.send_message(message.pk)
    attempt = followup.attempts.get(method=ContactAttempt.Method.TEXT)
    assert attempt.outcome == ContactAttempt.Outcome.SENT and attempt.performed_by == worker


def test_a_messaging_service_sends_instead_of_a_from_number(fake_twilio, twilio_settings, followup):
    twilio_settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    sending.send_message(message.pk)
    [request] = fake_twilio.requests
    assert request.one("MessagingServiceSid") == "MG" + "1" * 32
    assert "From" not in request.form


def test_an_api_key_authenticates_instead_of_the_auth_token(fake_twilio, twilio_settings, followup):
    twilio_settings.TWILIO_API_KEY_SID = "SK" + "2" * 32
    twilio_settings.TWILIO_API_KEY_SECRET = "api-key-secret"
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    sending.send_message(message.pk)
    [request] = fake_twilio.requests
    assert request.path == MESSAGES_PATH  # still the account's resource
    assert request.auth == ("SK" + "2" * 32, "api-key-secret")


def test_someone_who_cannot_get_texts_gets_a_voice_message_in_their_language(fake_twilio, signed_post, followup):
    survivor = followup.survivor
    survivor.safe_to_text, survivor.safe_voicemail, survivor.language = False, True, "es"
    survivor.save()

    message = queue_fallback_contact(followup, reason="test", stage="warning")
    assert message.channel == Message.Channel.VOICE
    sending.send_message(message.pk)

    [request] = fake_twilio.requests
    assert request.path == CALLS_PATH and request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.one("To") == "+12025550142" and request.one("From") == FROM_NUMBER
    assert request.one("Url") == f"{PUBLIC_BASE_URL}/messages/twilio/voice/message/{message.pk}/"
    assert request.one("StatusCallback") == status_url(message)

    response = signed_post(f"/messages/twilio/voice/message/{message.pk}/", {"CallSid": request.sid})
    twiml = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert '<Say language="es-US" voice="Polly.Lupe">Hola, este es un mensaje para Maria' in twiml
    assert "2 0 2, 5 5 5, 0 1 2 3" in twiml  # the program's phone, digit by digit


def test_no_automatic_contact_when_neither_texts_nor_voice_messages_are_safe(fake_twilio, followup):
    survivor = followup.survivor
    survivor.safe_to_text, survivor.safe_voicemail = False, False
    survivor.save()
    assert queue_fallback_contact(followup, reason="test", stage="warning") is None
    assert not Message.objects.exists()


def test_the_fallback_goes_out_once_per_followup_and_stage(fake_twilio, followup, worker):
    first = queue_fallback_contact(followup, reason="test", stage="visit", by=worker)
    again = queue_fallback_contact(followup, reason="test", stage="visit", by=worker)
    assert again.pk == first.pk
    sending.send_message(first.pk)
    sending.send_message(first.pk)  # a redelivered task
    assert len(fake_twilio.texts()) == 1
    warning = queue_fallback_contact(followup, reason="test", stage="warning")
    assert warning.pk != first.pk


def test_a_stop_after_queueing_cancels_the_text(fake_twilio, followup):
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    followup.survivor.phone_status = "opted_out"
    followup.survivor.save()
    assert sending.send_message(message.pk) is None
    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED and message.error_code == "opted_out"
    assert fake_twilio.requests == []


def test_click_to_call_rings_the_worker_first_and_shows_the_person_the_program_number(
    fake_twilio, signed_post, survivor, worker
):
    message = start_bridge_call(survivor, by=worker)
    sending.send_message(message.pk)

    [request] = fake_twilio.calls()
    assert request.one("To") == "+12025550177"  # the worker's phone rings first
    assert request.one("From") == FROM_NUMBER
    assert request.one("Url") == f"{PUBLIC_BASE_URL}/messages/twilio/voice/bridge/{message.pk}/"

    twiml = signed_post(f"/messages/twilio/voice/bridge/{message.pk}/", {"CallSid": request.sid}).content.decode()
    assert f'<Dial callerId="{FROM_NUMBER}"><Number>+12025550142</Number></Dial>' in twiml
    assert "5550177" not in twiml  # never the worker's own number


def test_a_double_tap_on_call_calls_once(fake_twilio, survivor, worker):
    assert start_bridge_call(survivor, by=worker).pk == start_bridge_call(survivor, by=worker).pk


def test_twilio_busy_is_retried_after_a_short_wait_then_sent(fake_twilio, afternoon, followup):
    fake_twilio.then(429, code=20429)
    message = queue_fallback_contact(followup, reason="test", stage="visit")

    assert sending.send_message(message.pk) == Message.Status.QUEUED
    message.refresh_from_db()
    assert message.error_code == "20429" and "trying again" in message.status_note
    assert sending.send_message(message.pk) is None  # not before its backoff
    assert len(fake_twilio.requests) == 1

    afternoon.shift(60)
    assert sending.enqueue_due(message.send_after) == 1  # the periodic task hands it to a worker
    assert sending.send_message(message.pk) == Message.Status.SENT
    assert len(fake_twilio.texts()) == 2
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.twilio_sid == fake_twilio.requests[-1].sid


def test_twilio_down_gives_up_after_a_few_minutes_and_says_so(fake_twilio, afternoon, followup):
    for _ in range(sending.MAX_TRIES):
        fake_twilio.then(503)
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    for _ in range(sending.MAX_TRIES):
        sending.send_message(message.pk)
        afternoon.shift(sending.MAX_BACKOFF.total_seconds())
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.error_code == "503"
    assert len(fake_twilio.requests) == sending.MAX_TRIES


def test_a_timeout_is_never_resent_and_the_status_callback_settles_it(
    fake_twilio, afternoon, signed_post, followup
):
    fake_twilio.then(201, delay=2.5)  # longer than TWILIO_HTTP_TIMEOUT_SECONDS
    message = queue_fallback_contact(followup, reason="test", stage="visit")

    assert sending.send_message(message.pk) == Message.Status.UNKNOWN
    afternoon.shift(3600)
    sending.send_due_messages()
    assert sending.send_message(message.pk) is None
    assert fake_twilio.wait_for(1) and len(fake_twilio.requests) == 1  # Twilio got it once; we never resent

    sid = fake_twilio.requests[0].sid
    signed_post(f"/messages/twilio/status/{message.pk}/", {"MessageSid": sid, "MessageStatus": "delivered"})
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED and message.twilio_sid == sid
    assert followup.attempts.filter(method="text", outcome="sent").count() == 1


@pytest.mark.parametrize(
    ("code", "phone_status"), [(21610, "opted_out"), (21211, "invalid"), (21614, "invalid")]
)
def test_a_refusal_marks_the_phone_and_is_never_retried(fake_twilio, afternoon, followup, code, phone_status):
    fake_twilio.then(400, code=code)
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    assert sending.send_message(message.pk) == Message.Status.FAILED
    afternoon.shift(3600)
    assert sending.enqueue_due(timezone.now()) == 0
    message.refresh_from_db()
    followup.survivor.refresh_from_db()
    assert message.error_code == str(code) and followup.survivor.phone_status == phone_status
    assert len(fake_twilio.requests) == 1


def test_a_staff_notification_text_goes_to_the_staff_phone_without_clinical_words(fake_twilio, team):
    nurse = UserFactory(role=Role.COORDINATOR, teams=[team], phone="+12025550188")
    calm = queue_staff_text(nurse, text="Initial follow-up #12 is due: please make contact.", key="staff:1")
    loud = queue_staff_text(nurse, text="Overdose follow-up is due", key="staff:2")
    assert queue_staff_text(nurse, text="again", key="staff:1").pk == calm.pk
    sending.send_message(calm.pk)
    sending.send_message(loud.pk)
    first, second = fake_twilio.texts()
    assert first.one("To") == "+12025550188" and "follow-up #12 is due" in first.one("Body")
    assert "Overdose" not in second.one("Body") and "new notification" in second.one("Body")


def test_the_database_backend_records_texts_without_calling_anyone(settings, followup):
    settings.MESSAGING_BACKEND = "followups.messaging.backends.DatabaseBackend"
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens: a call would fail
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    assert sending.send_message(message.pk) == Message.Status.SENT
    message.refresh_from_db()
    assert message.twilio_sid.startswith("DB")


def test_the_webhooks_are_public_but_the_staff_actions_are_not(survivor):
    anonymous = Client()
    assert anonymous.post("/messages/twilio/sms/", {}).status_code == 403  # no login page for Twilio
    assert anonymous.post(f"/messages/survivor/{survivor.pk}/text/", {}).status_code == 302


def test_twilio_unreachable_is_retried_because_nothing_was_sent(fake_twilio, twilio_settings, followup):
    fake_twilio.stop()  # the port now refuses connections
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    assert sending.send_message(message.pk) == Message.Status.QUEUED
    message.refresh_from_db()
    assert message.error_code == "connect" and message.send_after is not None
