"""Helpers for the referral tests: a small directory, survivors on the team, consents to share."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from port.accounts.roles import Role
from referrals.services import make_referral
from survivors.models import Consent
from tests.factories import FamilyMemberFactory, OrganizationFactory, ServiceFactory, SurvivorFactory

# Monday 9:00 in the program's time zone.
START = timezone.make_aware(datetime(2026, 3, 2, 9, 0))


@pytest.fixture
def worker(users):
    return users[Role.OUTREACH]


@pytest.fixture
def coordinator(users):
    return users[Role.COORDINATOR]


@pytest.fixture
def partner(users):
    return users[Role.PARTNER]


@pytest.fixture
def survivor(team):
    return SurvivorFactory(team=team, legal_first_name="Dana", legal_last_name="Reyes")


@pytest.fixture
def family_member(survivor):
    return FamilyMemberFactory(survivor=survivor, name="Rosa Reyes", relationship="mother")


@pytest.fixture
def clinic(db):
    """A MOUD clinic with a buprenorphine service."""

    org = OrganizationFactory(name="Riverside Recovery Clinic", languages="en,es", accepts_medicaid=True,
                              walk_in=True, handoff_notes="Ask for the bridge nurse.")
    ServiceFactory(organization=org, category="moud", name="Same-day buprenorphine", medications="buprenorphine")
    return org


@pytest.fixture
def clinic_service(clinic):
    return clinic.services.get()


@pytest.fixture
def family_group(db):
    org = OrganizationFactory(name="Families Together", languages="en")
    ServiceFactory(organization=org, category="family", name="Support group")
    return org


def give_share_consent(person, organization, *, given_at=None, expires_at=None, revoked_at=None):
    """A consent to share with `organization`, given by a survivor or by a family member."""

    family_member = person if person.__class__.__name__ == "FamilyMember" else None
    survivor = family_member.survivor if family_member else person
    return Consent.objects.create(
        survivor=survivor, family_member=family_member, kind=Consent.Kind.SHARE, organization=organization,
        given_at=given_at or timezone.now() - timedelta(days=1), expires_at=expires_at, revoked_at=revoked_at,
    )


@pytest.fixture
def refer(worker, clinic_service):
    """refer(**overrides) -> a referral made through the service (to the clinic, for a new survivor by default)."""

    def make(**kwargs):
        service = kwargs.pop("service", clinic_service)
        if "survivor" not in kwargs and "family_member" not in kwargs:
            kwargs["survivor"] = SurvivorFactory(team=kwargs.pop("team", None) or worker.teams.get())
        kwargs.setdefault("by", worker)
        return make_referral(organization=service.organization, service=service, **kwargs)

    return make

