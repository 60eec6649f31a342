"""The demo directory and referrals: every status, treatment progress and family referrals, through the services."""

import random

import pytest

from port.accounts.roles import Role
from referrals.demo import load_referrals_demo
from referrals.models import Organization, Referral
from tests.factories import SurvivorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_directory_and_referrals_in_every_status(team):
    users = {name: UserFactory(username=name, role=role, teams=[team]) for name, role in
             [("coordinator", Role.COORDINATOR), ("outreach", Role.OUTREACH), ("outreach2", Role.OUTREACH)]}
    survivors = [SurvivorFactory(team=team) for _ in range(12)]

    load_referrals_demo(survivors=survivors, users=users, rng=random.Random(2026))

    assert Organization.objects.count() >= 15
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
    assert Referral.objects.filter(admitted_on__isnull=False, moud_started=True).exists()
    assert Referral.objects.filter(family_member__isnull=False).count() >= 3
    assert Referral.objects.filter(identity_withheld=True).exists()
    assert Referral.objects.filter(followups__kind="referral_check").exists()
