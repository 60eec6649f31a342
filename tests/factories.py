"""Factories for every model, in one place."""

from datetime import timedelta

import factory
from django.utils import timezone

from followups.models import ContactAttempt, FollowUp
from port.accounts.models import Team, User
from port.accounts.roles import Role
from referrals.models import Organization, Referral, Service
from survivors.models import FamilyMember, OverdoseEvent, Survivor

PASSWORD = "correct-horse-battery-staple"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.OUTREACH
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


class SurvivorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survivor

    team = factory.SubFactory(TeamFactory)
    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=70)
    phone = factory.Sequence(lambda n: f"+1202555{n % 10000:04d}")
    address = factory.Faker("street_address")
    zip_code = "45011"
    safe_to_text = True


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    survivor = factory.SubFactory(SurvivorFactory)
    name = factory.Faker("name")
    relationship = "parent"


class OverdoseEventFactory(factory.django.DjangoModelFactory):
    """A bare event row (no follow-up). Use survivors.services.record_overdose_event for the flow."""

    class Meta:
        model = OverdoseEvent

    survivor = factory.SubFactory(SurvivorFactory)
    team = factory.LazyAttribute(lambda e: e.survivor.team if e.survivor else TeamFactory())
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    source = OverdoseEvent.Source.EMS
    source_incident_number = factory.Sequence(lambda n: f"INC-{n:06d}")
    outcome = OverdoseEvent.Outcome.SURVIVED


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    event = factory.SubFactory(OverdoseEventFactory)
    survivor = factory.LazyAttribute(lambda f: f.event.survivor)
    team = factory.LazyAttribute(lambda f: f.event.team)
    kind = FollowUp.Kind.INITIAL
    target_at = factory.LazyAttribute(lambda f: f.event.occurred_at + timedelta(hours=24))
    deadline_at = factory.LazyAttribute(lambda f: f.event.occurred_at + timedelta(hours=72))


class ContactAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactAttempt

    followup = factory.SubFactory(FollowUpFactory)
    method = ContactAttempt.Method.VISIT
    outcome = ContactAttempt.Outcome.NOT_HOME


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    phone = "(202) 555-0199"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organization = factory.SubFactory(OrganizationFactory)
    category = "moud"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    survivor = factory.SubFactory(SurvivorFactory)
    team = factory.LazyAttribute(lambda r: r.survivor.team)
    organization = factory.SubFactory(OrganizationFactory)
    category = "moud"
