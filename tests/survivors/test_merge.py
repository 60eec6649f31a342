"""Merging two records of one person keeps every row of both, on the kept record, audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from followups.messaging.models import Message
from followups.models import FollowUp
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from referrals.models import Referral
from survivors import records
from survivors.models import Consent, FamilyMember, NaloxoneDistribution, OverdoseEvent
from survivors.services import merge_survivors, record_overdose_event
from tests.factories import ContactAttemptFactory, FamilyMemberFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def with_history(survivor, coordinator, days_ago, tag):
    event = record_overdose_event(
        by=coordinator, team=survivor.team, survivor=survivor, occurred_at=timezone.now() - timedelta(days=days_ago),
        source="ems", source_incident_number=f"INC-{tag}",
    )
    ContactAttemptFactory(followup=FollowUp.objects.get(event=event))
    member = FamilyMemberFactory(survivor=survivor, name=f"Family {tag}")
    records.record_consent(survivor, by=coordinator, kind=Consent.Kind.CONTACT)
    records.record_naloxone(by=coordinator, team=survivor.team, survivor=survivor, kits=1)
    ReferralFactory(survivor=survivor, team=survivor.team)
    ReferralFactory(survivor=None, family_member=member, team=survivor.team)
    Message.objects.create(survivor=survivor, to_number="+12025550100", body=f"Hello {tag}")


def test_merge_moves_every_row_of_every_app_to_the_kept_record(coordinator, person):
    keep = person(legal_first_name="Robert", legal_last_name="Smith", date_of_birth=None, notes="Kept notes")
    merge = person(legal_first_name="Bob", legal_last_name="Smith", phone="+12025550155", notes="Other notes")
    with_history(keep, coordinator, 200, "K")
    with_history(merge, coordinator, 150, "M")

    merge_survivors(keep, merge, by=coordinator)

    for model in (OverdoseEvent, FamilyMember, Consent, NaloxoneDistribution, FollowUp, Message, Referral):
        assert model.objects.filter(survivor=merge).count() == 0, model
        assert model.objects.filter(survivor=keep).count() == 2, model
    assert FollowUp.objects.filter(survivor=keep, attempts__isnull=False).count() == 2
    assert Referral.objects.filter(family_member__survivor=keep).count() == 2
    keep.refresh_from_db()
    merge.refresh_from_db()
    assert merge.merged_into == keep
    assert keep.date_of_birth == merge.date_of_birth  # a blank filled from the other record
    assert "Kept notes" in keep.notes and "Other notes" in keep.notes
    assert keep.phone.as_e164 == merge.phone.as_e164 or keep.phone_alt.as_e164 == merge.phone.as_e164


def test_merge_is_audited_on_both_records(coordinator, person):
    keep, merge = person(), person()
    merge_survivors(keep, merge, by=coordinator)
    assert AuditEvent.objects.filter(action="merge", survivor_id=keep.pk, user=coordinator).exists()
    assert AuditEvent.objects.filter(action="merge", survivor_id=merge.pk, user=coordinator).exists()


def test_two_events_brought_together_by_a_merge_flag_a_repeat_overdose(coordinator, person):
    keep, merge = person(), person()
    with_history(keep, coordinator, 30, "K")
    with_history(merge, coordinator, 10, "M")
    merge_survivors(keep, merge, by=coordinator)
    keep.refresh_from_db()
    assert keep.high_risk


def test_only_coordinators_and_above_merge(users, person):
    with pytest.raises(PermissionDenied):
        merge_survivors(person(), person(), by=users[Role.OUTREACH])


def test_the_merge_pages_propose_compare_and_merge(client, login, coordinator, person):
    keep = person(legal_first_name="Katherine", legal_last_name="Doyle")
    dup = person(legal_first_name="Kate", legal_last_name="Doyle")
    with_history(dup, coordinator, 20, "D")
    login(coordinator)
    html = client.get(reverse("survivors:merge", args=[keep.pk])).content.decode()
    assert reverse("survivors:merge_confirm", args=[keep.pk, dup.pk]) in html and "Nickname" in html
    url = reverse("survivors:merge_confirm", args=[keep.pk, dup.pk])
    assert "Kate" in client.get(url).content.decode()
    response = client.post(url, {"keep": str(keep.pk)})
    assert response.url == reverse("survivors:detail", args=[keep.pk])
    assert keep.events.count() == 1
    # The merged record's old address leads to the kept one.
    assert client.get(reverse("survivors:detail", args=[dup.pk])).url == reverse("survivors:detail", args=[keep.pk])
    # ... and it no longer appears in searches.
    client.post(reverse("survivors:list"), {"name": "doyle"})
    assert [s.pk for s in client.get(reverse("survivors:list")).context["page"]] == [keep.pk]
