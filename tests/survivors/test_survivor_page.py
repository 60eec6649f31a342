"""The survivor page: one screen with everything about the person, scoped, audited, partner-safe."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.messaging.models import Message
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from survivors import records
from survivors.models import Consent, Survivor
from survivors.services import record_overdose_event
from tests.factories import FamilyMemberFactory, ReferralFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_record(team, coordinator):
    survivor = SurvivorFactory(team=team, legal_first_name="Lena", legal_last_name="Marsh", phone_status="opted_out",
                               notes="Prefers mornings; on MOUD waitlist")
    now = timezone.now()
    for days, number in ((40, "E-1"), (5, "E-2")):
        record_overdose_event(by=coordinator, team=team, survivor=survivor, occurred_at=now - timedelta(days=days),
                              source="ems", source_incident_number=number, substances=["fentanyl"])
    mother = FamilyMemberFactory(survivor=survivor, name="Rita Marsh", relationship="parent")
    records.record_consent(survivor, by=coordinator, kind=Consent.Kind.TEXT)
    records.record_naloxone(by=coordinator, team=team, family_member=mother, kits=2)
    ReferralFactory(survivor=survivor, team=team)
    Message.objects.create(survivor=survivor, to_number="+12025550100", body="Hi Lena, checking in")
    return survivor


def test_the_page_shows_person_events_in_order_family_consents_naloxone_and_other_apps(
    client, login, users, full_record
):
    login(users[Role.OUTREACH])
    html = client.get(reverse("survivors:detail", args=[full_record.pk])).content.decode()
    assert "Lena Marsh" in html and "High risk" in html
    assert "Opted out of texts" in html
    assert html.index("#E-1") < html.index("#E-2")  # oldest first
    assert "Rita Marsh" in html and "2 kits" in html
    assert "Text messages: yes" in html and "Contact: no" in html
    assert "fentanyl" in html and "Prefers mornings" in html
    assert 'id="h-followups"' in html and 'id="h-referrals"' in html and 'id="h-messages"' in html
    assert 'id="survivor-actions"' in html


def test_viewing_the_page_writes_a_view_audit_row(client, login, users, full_record):
    user = users[Role.OUTREACH]
    login(user)
    client.get(reverse("survivors:detail", args=[full_record.pk]))
    assert AuditEvent.objects.filter(user=user, action="view", survivor_id=full_record.pk).count() == 1


def test_a_partner_sees_who_and_when_but_no_clinical_detail(client, login, users, full_record):
    login(users[Role.PARTNER])
    html = client.get(reverse("survivors:detail", args=[full_record.pk])).content.decode()
    assert "Lena Marsh" in html and "#E-2" in html and 'id="h-followups"' in html
    for hidden in ("fentanyl", "Prefers mornings", 'id="h-referrals"', 'id="h-messages"', "Text messages: yes",
                   'id="consents"', "checking in"):
        assert hidden not in html, hidden


def test_another_teams_survivor_is_not_found(client, login, users, other_team):
    stranger = SurvivorFactory(team=other_team)
    login(users[Role.COORDINATOR])
    assert client.get(reverse("survivors:detail", args=[stranger.pk])).status_code == 404


def test_the_page_takes_the_same_number_of_queries_however_long_the_record(
    client, login, users, full_record, coordinator, team, django_assert_max_num_queries
):
    login(users[Role.COORDINATOR])
    url = reverse("survivors:detail", args=[full_record.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        record_overdose_event(by=coordinator, team=team, survivor=full_record, source="police",
                              occurred_at=timezone.now() - timedelta(days=100 + i), source_incident_number=f"P-{i}")
        FamilyMemberFactory(survivor=full_record)
        records.record_naloxone(by=coordinator, team=team, survivor=full_record, kits=1)
        records.record_consent(full_record, by=coordinator, kind=Consent.Kind.VOICEMAIL)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_only_admins_delete_and_the_record_then_disappears_audited(client, login, users, full_record):
    url = reverse("survivors:delete", args=[full_record.pk])
    login(users[Role.COORDINATOR])
    assert client.post(url, {"reason": "entered_in_error"}).status_code == 403
    admin = users[Role.ADMIN]
    login(admin)
    assert client.post(url, {"reason": "entered_in_error"}).status_code == 302
    full_record.refresh_from_db()
    assert full_record.deleted_at is not None
    assert AuditEvent.objects.filter(user=admin, action="delete", survivor_id=full_record.pk).exists()
    assert client.get(reverse("survivors:detail", args=[full_record.pk])).status_code == 404
    assert not Survivor.objects.active().filter(pk=full_record.pk).exists()


def test_editing_records_who_changed_what_fields_never_the_values(client, login, users, full_record):
    user = users[Role.OUTREACH]
    login(user)
    url = reverse("survivors:edit", args=[full_record.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(phone="(202) 555-0188", preferred_name="Lee", phone_alt="", date_of_birth="1990-05-06")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    full_record.refresh_from_db()
    assert full_record.preferred_name == "Lee" and full_record.updated_by == user
    row = AuditEvent.objects.get(action="change", survivor_id=full_record.pk)
    assert "preferred_name" in row.detail and "Lee" not in row.detail
