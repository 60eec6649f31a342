"""The intake demo: family, consents in every state, naloxone to family and anonymously, one import."""

import random

import pytest

from port.accounts.roles import Role
from survivors.demo import load_intake_demo
from survivors.models import Consent, FamilyMember, ImportBatch, NaloxoneDistribution, OverdoseEvent
from tests.factories import SurvivorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_intake_state_through_the_services(team):
    users = {name: UserFactory(username=name, role=role, teams=[team]) for name, role in
             [("coordinator", Role.COORDINATOR), ("outreach", Role.OUTREACH)]}
    survivors = [SurvivorFactory(team=team, legal_first_name="Michael" if i == 9 else f"Name{i}")
                 for i in range(14)]

    load_intake_demo(survivors=survivors, users=users, rng=random.Random(2026))

    assert FamilyMember.objects.count() == 4
    assert Consent.objects.filter(revoked_at__isnull=False).exists()
    assert Consent.objects.active_at().filter(kind="text").exists()
    assert {d.recipient_kind for d in NaloxoneDistribution.objects.all()} == {"family", "anonymous"}
    batch = ImportBatch.objects.get()
    assert (batch.created_events, batch.matched_rows, batch.unmatched_rows, batch.new_survivors) == (3, 1, 1, 1)
    assert (batch.duplicate_rows, batch.error_rows) == (1, 1)
    assert OverdoseEvent.objects.get(survivor__isnull=True).reported_person["first_name"] == "Mike"
