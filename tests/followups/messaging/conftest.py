"""Fixtures for messaging: the fake Twilio, signed webhooks, a survivor with an open follow-up."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from twilio.request_validator import RequestValidator

from followups.messaging.defaults import DEFAULTS
from followups.messaging.models import MessageTemplate
from port.accounts.roles import Role
from tests.factories import FollowUpFactory, OverdoseEventFactory, SurvivorFactory, UserFactory
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio

PUBLIC_BASE_URL = "https://port.example.org"
# A weekday afternoon in the program's time zone: outside quiet hours.
AFTERNOON = datetime(2026, 11, 24, 14, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def templates(db):
    """The default templates (another test's flush may have removed the migration's rows)."""

    for name, channel, language, body in DEFAULTS:
        MessageTemplate.objects.get_or_create(name=name, channel=channel, language=language, defaults={"body": body})


@pytest.fixture
def afternoon():
    with time_machine.travel(AFTERNOON, tick=True) as traveller:
        yield traveller


@pytest.fixture
def twilio_settings(settings):
    settings.MESSAGING_BACKEND = "followups.messaging.backends.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_API_KEY_SID = ""
    settings.TWILIO_API_KEY_SECRET = ""
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_HTTP_TIMEOUT_SECONDS = 1.0
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.PROGRAM_NAME = "Community Outreach Program"
    settings.PROGRAM_PHONE = "+12025550123"
    return settings


@pytest.fixture
def fake_twilio(twilio_settings):
    fake = FakeTwilio().start()
    twilio_settings.TWILIO_API_BASE_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def signed_post(client, twilio_settings):
    """POST as Twilio does: form-encoded, signed over PUBLIC_BASE_URL + path with the auth token."""

    def post(path, params, *, token=AUTH_TOKEN, signature=None):
        if signature is None:
            signature = RequestValidator(token).compute_signature(PUBLIC_BASE_URL + path, params)
        headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
        return client.post(path, params, **headers)

    return post


@pytest.fixture
def worker(team):
    return UserFactory(role=Role.OUTREACH, teams=[team], first_name="Dana", phone="+12025550177")


@pytest.fixture
def survivor(team):
    return SurvivorFactory(
        team=team, legal_first_name="Maria", phone="+12025550142", safe_to_text=True, language="en"
    )


@pytest.fixture
def followup(survivor, worker):
    event = OverdoseEventFactory(survivor=survivor, team=survivor.team)
    return FollowUpFactory(event=event, assigned_to=worker)
