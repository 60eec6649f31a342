"""Staff on the survivor and follow-up pages: one-off texts, the one-tap fallback, click-to-call, scoping."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followups.messaging.models import Message
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from tests.factories import SurvivorFactory, TeamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("templates", "afternoon")]

HTMX = {"HTTP_HX_REQUEST": "true"}


def text_url(survivor):
    return f"/messages/survivor/{survivor.pk}/text/"


def test_the_survivor_page_shows_the_conversation_and_a_text_form(client, login, survivor, worker):
    login(worker)
    page = client.get(f"/survivors/{survivor.pk}/").content.decode()
    assert 'id="survivor-messages"' in page and 'data-testid="text-form"' in page


def test_a_one_off_text_is_queued_from_the_survivor_page(client, login, survivor, followup, worker):
    login(worker)
    response = client.post(
        text_url(survivor), {"body": "Hi {first_name}, it's {worker_name}. Free for a coffee?",
                             "token": str(uuid.uuid4())}, **HTMX
    )
    assert response.status_code == 200
    assert "Text queued." in response.content.decode()
    message = Message.objects.get(purpose=Message.Purpose.ONE_OFF)
    assert message.body == "Hi Maria, it's Dana. Free for a coffee?"
    assert message.status == Message.Status.QUEUED and message.sent_by == worker and message.followup == followup
    assert AuditEvent.objects.filter(action="message", object_id=str(message.pk), user=worker).exists()


def test_a_double_tap_sends_the_text_once(client, login, survivor, worker):
    login(worker)
    data = {"body": "Hello there", "token": str(uuid.uuid4())}
    client.post(text_url(survivor), data, **HTMX)
    client.post(text_url(survivor), data, **HTMX)
    assert Message.objects.filter(purpose=Message.Purpose.ONE_OFF).count() == 1


def test_a_text_naming_the_reason_is_refused_and_keeps_what_was_typed(client, login, survivor, worker):
    login(worker)
    typed = "Hi, we have Narcan for you after your overdose"
    page = client.post(text_url(survivor), {"body": typed, "token": str(uuid.uuid4())}, **HTMX).content.decode()
    assert "Remove &#x27;Narcan&#x27;, &#x27;overdose&#x27;" in page
    assert typed in page  # the textarea keeps it
    assert not Message.objects.exists()


def test_picking_a_template_sends_it_in_the_persons_language(client, login, survivor, worker):
    from followups.messaging.models import MessageTemplate

    survivor.language = "es"
    survivor.save()
    template = MessageTemplate.objects.get(name="checking in", language="es")
    login(worker)
    page = client.get(f"/messages/survivor/{survivor.pk}/").content.decode()
    assert "Hola Maria, soy Dana" in page  # the preview the form offers
    client.post(text_url(survivor), {"template": template.pk, "body": "", "token": str(uuid.uuid4())}, **HTMX)
    assert Message.objects.get().body.startswith("Hola Maria, soy Dana de Community Outreach Program.")


def test_no_text_form_for_someone_not_safe_to_text(client, login, survivor, worker):
    survivor.safe_to_text = False
    survivor.save()
    login(worker)
    page = client.get(f"/messages/survivor/{survivor.pk}/").content.decode()
    assert 'data-testid="text-form"' not in page and "No texts:" in page
    client.post(text_url(survivor), {"body": "Hello", "token": str(uuid.uuid4())}, **HTMX)
    assert not Message.objects.exists()


def test_the_one_tap_fallback_sends_once_and_is_audited(client, login, followup, worker):
    login(worker)
    url = f"/messages/followup/{followup.pk}/fallback/"
    first = client.post(url, **HTMX).content.decode()
    second = client.post(url, **HTMX).content.decode()
    assert "Text queued." in first and "already sent" in second
    message = Message.objects.get(idempotency_key=f"fallback:{followup.pk}:manual")
    assert message.sent_by == worker
    assert AuditEvent.objects.filter(action="message", object_id=str(message.pk), user=worker).count() == 1


def test_the_one_tap_fallback_says_why_it_cannot_send(client, login, followup, worker):
    survivor = followup.survivor
    survivor.phone_status = "opted_out"
    survivor.save()
    login(worker)
    page = client.post(f"/messages/followup/{followup.pk}/fallback/", **HTMX).content.decode()
    assert "opted out of texts (STOP)" in page and not Message.objects.exists()


def test_without_htmx_the_fallback_goes_back_to_the_followup_page(client, login, followup, worker):
    login(worker)
    response = client.post(f"/messages/followup/{followup.pk}/fallback/")
    assert response.status_code == 302 and response["Location"] == f"/followups/{followup.pk}/"


def test_click_to_call_needs_the_workers_phone(client, login, survivor, make_user):
    coordinator = make_user(role=Role.COORDINATOR)
    login(coordinator)
    page = client.post(f"/messages/survivor/{survivor.pk}/call/", **HTMX).content.decode()
    assert "Your profile has no phone number" in page and not Message.objects.exists()


def test_the_partner_role_never_sees_or_sends_messages(client, login, survivor, followup, make_user):
    login(make_user(role=Role.PARTNER))
    assert client.get(f"/messages/survivor/{survivor.pk}/").status_code == 403
    assert client.post(text_url(survivor), {"body": "hi", "token": str(uuid.uuid4())}).status_code == 403
    assert client.post(f"/messages/followup/{followup.pk}/fallback/").status_code == 403
    assert not Message.objects.exists()


def test_another_teams_survivor_is_not_found(client, login, worker):
    stranger = SurvivorFactory(team=TeamFactory(name="Elsewhere"))
    login(worker)
    assert client.get(f"/messages/survivor/{stranger.pk}/").status_code == 404
    assert client.post(text_url(stranger), {"body": "hi", "token": str(uuid.uuid4())}).status_code == 404


def test_the_conversation_costs_the_same_queries_however_long_it_is(client, login, survivor, worker):
    login(worker)
    url = f"/messages/survivor/{survivor.pk}/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    Message.objects.create(survivor=survivor, to_number="+12025550142", body="one", sent_by=worker)
    short = count()
    for i in range(8):
        Message.objects.create(survivor=survivor, to_number="+12025550142", body=f"more {i}", sent_by=worker)
    assert count() == short


def test_without_htmx_a_refused_text_stays_on_a_page_with_what_was_typed(client, login, survivor, worker):
    login(worker)
    typed = "Police will visit you"
    response = client.post(text_url(survivor), {"body": typed, "token": str(uuid.uuid4())})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert "Remove &#x27;Police&#x27;" in page and typed in page


def test_without_htmx_a_sent_text_goes_back_to_the_survivor_page(client, login, survivor, worker):
    login(worker)
    response = client.post(
        text_url(survivor), {"body": "Hello", "token": str(uuid.uuid4()), "next": f"/survivors/{survivor.pk}/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/survivors/{survivor.pk}/"
