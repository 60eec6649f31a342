"""Bad input at scale: a 50 MB CSV, a CSV with a 1 MB cell, a 1 MB webhook body. Each is refused or
handled with a clear message, nothing half-imported, and the server goes on answering."""

import logging
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from twilio.request_validator import RequestValidator

from followups.messaging.models import Message
from port.accounts.roles import Role
from survivors.models import ImportBatch, OverdoseEvent
from tests.fake_twilio import AUTH_TOKEN

from .processes import PUBLIC_BASE_URL

pytestmark = [pytest.mark.fault, pytest.mark.django_db]

HEADER = b"Incident Number,Incident Date,First Name,Last Name,DOB,Notes\n"
MB = 1024 * 1024


def a_row(n, notes=b"seen by EMS"):
    return b"EMS-%d,03/01/2026 10:00,Ana,Rivera,01/02/1990,%s\n" % (n, notes)


def upload(client, name, data):
    return client.post(reverse("survivors:import_upload"),
                       {"source": "ems", "file": SimpleUploadedFile(name, data, content_type="text/csv")})


def still_answering(client):
    started = time.monotonic()
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("survivors:import_upload")).status_code == 200
    return time.monotonic() - started


@pytest.fixture
def coordinator_client(client, login, users):
    return login(users[Role.COORDINATOR])


def test_a_50_mb_csv_is_refused_with_the_limit_and_nothing_is_imported(coordinator_client):
    row = a_row(1)
    data = HEADER + row * (50 * MB // len(row))
    assert len(data) >= 49 * MB

    response = upload(coordinator_client, "ems-export.csv", data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The file is 50.1 MB; the limit is 20 MB. Split it into smaller files." in page
    assert not ImportBatch.objects.exists() and not OverdoseEvent.objects.exists()
    assert still_answering(coordinator_client) < 5


def test_a_csv_with_a_1_mb_cell_is_refused_saying_where(coordinator_client):
    data = HEADER + a_row(1) + a_row(2, notes=b"x" * MB) + a_row(3)

    response = upload(coordinator_client, "ems-export.csv", data)

    assert response.status_code == 200
    page = response.content.decode()
    assert ("Line 3 has a cell longer than 2,000 characters; shorten that cell, or check that the file is saved as "
            "CSV with no quote left open, then upload it again.") in page
    assert not ImportBatch.objects.exists() and not OverdoseEvent.objects.exists()
    assert still_answering(coordinator_client) < 5


def signed(path, params):
    return RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + path, params)


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL


def test_a_1_mb_webhook_without_twilios_signature_is_refused_and_stores_nothing(client, login, users,
                                                                                twilio_settings):
    path = reverse("messaging:twilio_incoming_text")
    params = {"MessageSid": "SM" + "1" * 32, "From": "+12025550142", "To": "+12025550100", "Body": "x" * MB}

    response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE="not-twilio")

    assert response.status_code == 403
    assert not Message.objects.exists()
    assert still_answering(login(users[Role.COORDINATOR])) < 5


def test_a_1_mb_webhook_body_is_answered_and_the_server_goes_on(client, login, users, twilio_settings, caplog):
    caplog.set_level(logging.WARNING)
    path = reverse("messaging:twilio_incoming_text")
    params = {"MessageSid": "SM" + "2" * 32, "From": "+12025550142", "To": "+12025550100", "Body": "x" * MB}

    started = time.monotonic()
    response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signed(path, params))

    assert response.status_code == 200  # Twilio is answered, so it does not retry the same body forever
    assert time.monotonic() - started < 10
    stored = Message.objects.get(twilio_sid=params["MessageSid"])
    assert stored.direction == Message.Direction.INBOUND
    # Twilio's longest text (1,600 characters) is kept, marked as cut for whoever reads it.
    assert stored.body == "x" * 1600 + " …[truncated]"
    assert "twilio incoming text truncated: 1048576 characters, 1600 kept" in caplog.text
    assert "5550142" not in caplog.text and "xxxxxxxx" not in caplog.text
    assert still_answering(login(users[Role.COORDINATOR])) < 5
