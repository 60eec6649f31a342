"""Recording an overdose event from one form: with a new person, or one already known."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from survivors.models import OverdoseEvent, Survivor

pytestmark = pytest.mark.django_db
URL = reverse("survivors:event_create")


def form_data(**overrides):
    when = timezone.localtime(timezone.now() - timedelta(hours=3))
    data = {
        "person-legal_first_name": "Dana",
        "person-legal_last_name": "Whitfield",
        "person-date_of_birth": "1988-02-03",
        "person-phone": "(202) 555-0161",
        "person-language": "en",
        "event-occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "event-outcome": "survived",
        "event-source": "ems",
        "event-source_incident_number": "EMS-2026-0001",
        "event-substances": ["fentanyl", "xylazine"],
        "event-naloxone_by": "ems",
        "event-naloxone_doses": "2",
        "event-agreed_to_followup": "yes",
    }
    data.update(overrides)
    return data


def test_a_new_person_and_their_event_are_saved_and_the_follow_up_opens(client, login, coordinator):
    login(coordinator)
    response = client.post(URL, form_data())
    survivor = Survivor.objects.get(legal_last_name="Whitfield")
    assert response.status_code == 302 and response.url == reverse("survivors:detail", args=[survivor.pk])
    event = survivor.events.get()
    assert event.substances == ["fentanyl", "xylazine"] and event.naloxone_administered
    assert str(survivor.phone) and survivor.phone.as_e164 == "+12025550161"
    assert survivor.created_by == coordinator and event.created_by == coordinator
    followup = FollowUp.objects.get(event=event)
    assert followup.kind == FollowUp.Kind.INITIAL
    assert followup.deadline_at == event.occurred_at + timedelta(hours=72)
    assert AuditEvent.objects.filter(action="create", object_type="survivors.survivor", object_id=str(survivor.pk))
    assert AuditEvent.objects.filter(action="create", object_type="survivors.overdoseevent", object_id=str(event.pk))


def test_a_probable_match_is_proposed_and_nothing_is_saved_until_the_coordinator_chooses(
    client, login, coordinator, person
):
    known = person(legal_first_name="Robert", legal_last_name="Whitfield", date_of_birth=date(1988, 2, 3))
    login(coordinator)
    response = client.post(URL, form_data(**{"person-legal_first_name": "Bob"}))
    assert response.status_code == 200
    assert OverdoseEvent.objects.count() == 0 and Survivor.objects.count() == 1
    html = response.content.decode()
    assert f'value="{known.pk}"' in html and "Nickname" in html and "Same date of birth" in html
    assert 'value="Bob"' in html  # what was typed is kept

    response = client.post(URL, form_data(**{"person-legal_first_name": "Bob", "person_choice": str(known.pk)}))
    assert response.status_code == 302
    assert Survivor.objects.count() == 1
    assert known.events.get().source_incident_number == "EMS-2026-0001"


def test_the_coordinator_may_say_none_of_these_and_create_a_new_person(client, login, coordinator, person):
    person(legal_first_name="Dana", legal_last_name="Whitfield", date_of_birth=date(1950, 1, 1))
    login(coordinator)
    client.post(URL, form_data(person_choice="new"))
    assert Survivor.objects.filter(legal_last_name="Whitfield").count() == 2
    assert OverdoseEvent.objects.count() == 1


def test_an_event_for_a_known_survivor_from_their_page(client, login, coordinator, person):
    known = person()
    login(coordinator)
    data = {k: v for k, v in form_data().items() if k.startswith("event-")} | {"survivor": str(known.pk)}
    response = client.post(URL, data)
    assert response.url == reverse("survivors:detail", args=[known.pk])
    assert known.events.count() == 1 and Survivor.objects.count() == 1


def test_a_fatal_event_is_recorded_and_opens_family_support_instead(client, login, coordinator):
    login(coordinator)
    client.post(URL, form_data(**{"event-outcome": "fatal"}))
    survivor = Survivor.objects.get()
    assert survivor.status == Survivor.Status.DECEASED
    assert list(FollowUp.objects.values_list("kind", flat=True)) == [FollowUp.Kind.FAMILY_SUPPORT]


def test_a_future_date_and_a_bad_phone_are_refused_with_what_to_fix_and_nothing_lost(client, login, coordinator):
    login(coordinator)
    future = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(URL, form_data(**{"event-occurred_at": future, "person-phone": "555-01"}))
    html = response.content.decode()
    assert response.status_code == 200 and OverdoseEvent.objects.count() == 0
    assert "is in the future" in html
    assert "valid phone number" in html
    assert 'value="Whitfield"' in html and 'value="EMS-2026-0001"' in html


def test_an_incident_number_already_recorded_from_the_same_source_is_refused(client, login, coordinator, person):
    login(coordinator)
    client.post(URL, form_data())
    response = client.post(URL, form_data(person_choice="new"))
    assert "already recorded" in response.content.decode()
    assert OverdoseEvent.objects.count() == 1


def test_the_form_renders_for_a_tablet_with_phone_keypad_and_labels(client, login, coordinator):
    login(coordinator)
    html = client.get(URL).content.decode()
    assert 'type="tel"' in html and 'autocomplete="tel"' in html
    assert 'type="datetime-local"' in html
    assert re.search(r"<label\s+for=\"id_person-legal_first_name\"", html)


def test_outreach_workers_and_partners_cannot_record_events(client, login, users):
    for role in (Role.OUTREACH, Role.PARTNER):
        login(users[role])
        assert client.get(URL).status_code == 403


def test_live_proposals_appear_while_typing(client, login, coordinator, person):
    known = person(legal_first_name="Robert", legal_last_name="Whitfield")
    login(coordinator)
    response = client.post(
        reverse("survivors:match_candidates"),
        {"person-legal_first_name": "Whitfield", "person-legal_last_name": "Robert"},
        HTTP_HX_REQUEST="true",
    )
    assert f'value="{known.pk}"' in response.content.decode()
    assert "First and last name swapped" in response.content.decode()
