"""Sharing who someone is with an outside organisation needs their active consent to share with it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral

from .conftest import START, give_share_consent

pytestmark = pytest.mark.django_db


def warm_referral(refer, survivor):
    return refer(survivor=survivor, handoff="three_way_call")


def test_without_consent_a_warm_handoff_is_recorded_as_information_only(refer, survivor):
    referral = warm_referral(refer, survivor)

    assert referral.handoff == "information_only"
    assert referral.shares_identity is False
    assert referral.identity_withheld is True
    assert referral.status_changes.get().note == "Information only: no active consent to share"


def test_with_consent_the_warm_handoff_shares_identity(refer, survivor, clinic):
    give_share_consent(survivor, clinic)

    referral = warm_referral(refer, survivor)

    assert referral.handoff == "three_way_call"
    assert referral.shares_identity is True
    assert referral.identity_withheld is False


def test_a_revoked_consent_no_longer_allows_sharing(refer, survivor, clinic):
    give_share_consent(survivor, clinic, revoked_at=timezone.now() - timedelta(minutes=5))

    referral = warm_referral(refer, survivor)

    assert (referral.shares_identity, referral.handoff) == (False, "information_only")


def test_an_expired_consent_no_longer_allows_sharing(refer, survivor, clinic):
    with time_machine.travel(START, tick=False):
        give_share_consent(survivor, clinic, given_at=START, expires_at=START + timedelta(days=30))
        assert warm_referral(refer, survivor).shares_identity is True
    with time_machine.travel(START + timedelta(days=31), tick=False):
        referral = warm_referral(refer, survivor)

    assert (referral.shares_identity, referral.handoff) == (False, "information_only")


def test_consent_to_share_with_another_organisation_does_not_count(refer, survivor, family_group):
    give_share_consent(survivor, family_group)

    assert warm_referral(refer, survivor).shares_identity is False


def test_a_family_members_consent_does_not_cover_the_survivor(refer, survivor, family_member, clinic):
    give_share_consent(family_member, clinic)

    assert warm_referral(refer, survivor).shares_identity is False


def test_information_only_needs_no_consent(refer, survivor):
    referral = refer(survivor=survivor, handoff="information_only", shares_identity=False)

    assert referral.identity_withheld is False


def test_the_form_says_clearly_that_nothing_identifying_was_shared(client, login, worker, survivor, clinic_service):
    login(worker)
    url = reverse("referrals:create_for_survivor", args=[survivor.pk])

    page = client.get(url).content.decode()
    assert "No active consent to share details with any organisation" in page

    response = client.post(url, {"service": clinic_service.pk, "handoff": "accompanied", "shares_identity": "on",
                                 "notes": "Needs a ride"}, follow=True)

    referral = Referral.objects.get(survivor=survivor)
    assert (referral.handoff, referral.shares_identity) == ("information_only", False)
    page = response.content.decode()
    assert "There is no active consent to share this person&#x27;s details with Riverside Recovery Clinic" in page
    assert "recorded as information only" in page


def test_the_form_lists_the_organisations_the_person_consented_to(client, login, worker, survivor, clinic):
    give_share_consent(survivor, clinic)
    login(worker)

    page = client.get(reverse("referrals:create_for_survivor", args=[survivor.pk])).content.decode()

    assert "Active consent to share details with:" in page
    assert 'data-consent="yes"' in page
