"""Family members get referrals of their own (support groups, therapy, naloxone training)."""

import pytest
from django.urls import reverse

from port.audit.models import AuditEvent
from referrals.models import Referral
from referrals.selectors import survivor_referrals

from .conftest import give_share_consent

pytestmark = pytest.mark.django_db


def test_a_worker_refers_a_family_member_to_a_support_group(client, login, worker, family_member, family_group):
    login(worker)
    url = reverse("referrals:create_for_family", args=[family_member.pk])

    page = client.get(url).content.decode()
    assert "Rosa Reyes" in page and "mother of" in page

    response = client.post(url, {"service": family_group.services.get().pk, "handoff": "information_only",
                                 "notes": "Tuesday group"})

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.family_member == family_member
    assert referral.survivor is None
    assert referral.team == family_member.survivor.team
    assert referral.category == "family"
    assert referral.made_by == worker
    assert AuditEvent.objects.get(action="create", object_type="referrals.referral").survivor_id == (
        family_member.survivor_id)


def test_a_family_members_referral_shows_on_the_survivors_case_and_the_referral_page(
    client, login, worker, refer, survivor, family_member, family_group
):
    referral = refer(family_member=family_member, service=family_group.services.get())
    login(worker)

    assert list(survivor_referrals(survivor)) == [referral]
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Rosa Reyes" in page and "mother of Dana Reyes" in page


def test_a_warm_handoff_for_a_family_member_needs_their_own_consent(refer, survivor, family_member, family_group):
    give_share_consent(survivor, family_group)
    service = family_group.services.get()

    refused = refer(family_member=family_member, service=service, handoff="accompanied")
    give_share_consent(family_member, family_group)
    allowed = refer(family_member=family_member, service=service, handoff="accompanied")

    assert (refused.handoff, refused.shares_identity) == ("information_only", False)
    assert (allowed.handoff, allowed.shares_identity) == ("accompanied", True)
