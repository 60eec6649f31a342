"""Family members, consents (record, revoke, expiry) and naloxone to a survivor, family or anyone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from port.accounts.roles import Role
from port.audit.models import AuditEvent
from survivors.models import Consent, FamilyMember, NaloxoneDistribution
from tests.factories import FamilyMemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def when(days=0):
    return timezone.localtime(timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_a_family_member_is_added_with_who_added_them(client, login, users, person):
    survivor, worker = person(), users[Role.OUTREACH]
    login(worker)
    response = client.post(reverse("survivors:family_create", args=[survivor.pk]), {
        "name": "Rita Vance", "relationship": "parent", "phone": "202-555-0131", "language": "es",
        "consent_to_contact": "on",
    })
    assert response.status_code == 302
    member = FamilyMember.objects.get(survivor=survivor)
    assert member.phone.as_e164 == "+12025550131" and member.created_by == worker and member.consent_to_contact
    assert AuditEvent.objects.filter(action="create", object_type="survivors.familymember").exists()


def test_consent_is_recorded_and_revoked_and_the_state_shows_at_a_glance(client, login, users, person):
    survivor = person(safe_to_text=True)
    login(users[Role.OUTREACH])
    client.post(reverse("survivors:consent_create", args=[survivor.pk]),
                {"kind": "text", "method": "verbal", "given_at": when(-1)})
    page = reverse("survivors:detail", args=[survivor.pk])
    assert "Text messages: yes" in client.get(page).content.decode()

    consent = Consent.objects.get(survivor=survivor)
    client.post(reverse("survivors:consent_revoke", args=[consent.pk]))
    consent.refresh_from_db()
    survivor.refresh_from_db()
    assert consent.revoked_at and consent.revoked_by == users[Role.OUTREACH]
    assert not survivor.safe_to_text  # revoking text consent stops texts
    assert "Text messages: no" in client.get(page).content.decode()


def test_an_expired_consent_no_longer_counts(client, login, users, person, coordinator):
    survivor = person()
    from survivors.records import record_consent

    record_consent(survivor, by=coordinator, kind="contact", given_at=timezone.now() - timedelta(days=30),
                   expires_at=timezone.now() - timedelta(days=1))
    login(users[Role.OUTREACH])
    assert "Contact: no" in client.get(reverse("survivors:detail", args=[survivor.pk])).content.decode()


def test_sharing_consent_needs_the_organisation_and_purpose(client, login, users, person):
    survivor = person()
    login(users[Role.OUTREACH])
    url = reverse("survivors:consent_create", args=[survivor.pk])
    html = client.post(url, {"kind": "share", "method": "written", "given_at": when()}).content.decode()
    assert "names the organisation" in html and not Consent.objects.exists()
    org = OrganizationFactory()
    client.post(url, {"kind": "share", "method": "written", "given_at": when(), "organization": org.pk,
                      "purpose": "Treatment referral", "expires_at": when(365)})
    assert Consent.objects.get().organization == org


def test_naloxone_to_a_family_member_and_to_someone_anonymous(client, login, users, person, team):
    survivor = person()
    mother = FamilyMemberFactory(survivor=survivor, name="Rita")
    worker = users[Role.OUTREACH]
    login(worker)
    client.post(reverse("survivors:naloxone_create", args=[survivor.pk]), {
        "recipient": f"family:{mother.pk}", "given_at": when(), "kits": 2, "test_strips": 10, "is_refill": "on",
        "previous_kit_used": "yes", "training_given": "on",
    })
    given = NaloxoneDistribution.objects.get()
    assert given.family_member == mother and given.survivor == survivor and given.given_by == worker
    assert given.recipient_kind == "family" and given.kits == 2 and given.is_refill

    client.post(reverse("survivors:naloxone_anonymous"),
                {"given_at": when(), "kits": 1, "test_strips": 0, "previous_kit_used": "unknown"})
    anonymous = NaloxoneDistribution.objects.exclude(pk=given.pk).get()
    assert anonymous.recipient_kind == "anonymous" and anonymous.team == team


def test_zero_kits_and_zero_strips_is_refused(client, login, users, person):
    survivor = person()
    login(users[Role.OUTREACH])
    html = client.post(reverse("survivors:naloxone_create", args=[survivor.pk]), {
        "recipient": "survivor", "given_at": when(), "kits": 0, "test_strips": 0, "previous_kit_used": "unknown",
    }).content.decode()
    assert "at least one kit" in html and not NaloxoneDistribution.objects.exists()


def test_partners_cannot_open_consent_or_family_forms(client, login, users, person):
    survivor = person()
    login(users[Role.PARTNER])
    assert client.get(reverse("survivors:consent_create", args=[survivor.pk])).status_code == 403
    assert client.get(reverse("survivors:family_create", args=[survivor.pk])).status_code == 403
