"""Retention: closed cases untouched for RETENTION_YEARS are purged daily; the audit log stays."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from followups.messaging.models import Message
from followups.models import ContactAttempt, FollowUp
from port.accounts import tasks
from port.accounts.models import BreakGlassGrant
from port.accounts.retention import retention_cutoff
from port.audit.models import AuditEvent
from port.audit.services import record_event
from referrals.models import Referral
from survivors.models import Consent, FamilyMember, NaloxoneDistribution, OverdoseEvent, Survivor
from tests.factories import (
    ContactAttemptFactory,
    FamilyMemberFactory,
    FollowUpFactory,
    OverdoseEventFactory,
    ReferralFactory,
    SurvivorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

YEAR = timedelta(days=365)


def make_case(team, *, status="closed", ago=8 * YEAR):
    """A whole case (event, follow-up, attempt, family, consent, naloxone, referral, messages) `ago` old."""

    with time_machine.travel(timezone.now() - ago, tick=False):
        survivor = SurvivorFactory(team=team, status=status)
        followup = FollowUpFactory(event__survivor=survivor)
        ContactAttemptFactory(followup=followup, notes="visited")
        family = FamilyMemberFactory(survivor=survivor)
        Consent.objects.create(survivor=survivor, family_member=family, kind=Consent.Kind.CONTACT)
        NaloxoneDistribution.objects.create(team=team, survivor=survivor, kits=2)
        NaloxoneDistribution.objects.create(team=team, family_member=family, kits=1)
        ReferralFactory(survivor=survivor)
        Message.objects.create(survivor=survivor, followup=followup, to_number="+12025550100", body="Hi")
        BreakGlassGrant.objects.create(
            user=UserFactory(), survivor_id=survivor.pk, reason="hospital call",
            expires_at=timezone.now() + timedelta(hours=3),
        )
        record_event(None, "view", survivor, detail="survivor page")
    return survivor


def case_rows(survivor_id):
    return {
        "survivor": Survivor.objects.filter(pk=survivor_id).count(),
        "events": OverdoseEvent.objects.filter(survivor_id=survivor_id).count(),
        "followups": FollowUp.objects.filter(survivor_id=survivor_id).count(),
        "attempts": ContactAttempt.objects.filter(followup__survivor_id=survivor_id).count(),
        "family": FamilyMember.objects.filter(survivor_id=survivor_id).count(),
        "consents": Consent.objects.filter(survivor_id=survivor_id).count(),
        "naloxone": NaloxoneDistribution.objects.filter(survivor_id=survivor_id).count(),
        "referrals": Referral.objects.filter(survivor_id=survivor_id).count(),
        "messages": Message.objects.filter(survivor_id=survivor_id).count(),
        "grants": BreakGlassGrant.objects.filter(survivor_id=survivor_id).count(),
    }


def test_a_closed_case_untouched_for_seven_years_is_purged_and_the_purge_audited(team):
    survivor = make_case(team)
    family_naloxone = NaloxoneDistribution.objects.filter(family_member__survivor=survivor)
    assert family_naloxone.exists()
    assert tasks.purge_expired_cases()["cases"] == 1
    assert set(case_rows(survivor.pk).values()) == {0}
    assert not family_naloxone.exists()
    purge = AuditEvent.objects.get(action="purge", survivor_id=survivor.pk)
    assert (purge.user, purge.object_type, purge.object_id) == (None, "survivors.survivor", str(survivor.pk))
    assert AuditEvent.objects.filter(action="view", survivor_id=survivor.pk).exists()  # history kept


@pytest.mark.parametrize("status", ["deceased", "moved", "declined"])
def test_deceased_moved_and_declined_cases_are_closed_cases_too(team, status):
    survivor = make_case(team, status=status)
    tasks.purge_expired_cases()
    assert not Survivor.objects.filter(pk=survivor.pk).exists()


@pytest.mark.parametrize("status", ["active", "engaged", "in_treatment", "unable_to_reach"])
def test_an_open_case_is_kept_however_old(team, status):
    survivor = make_case(team, status=status)
    assert tasks.purge_expired_cases()["cases"] == 0
    assert case_rows(survivor.pk)["survivor"] == 1


def test_a_closed_case_with_recent_activity_is_kept(team):
    survivor = make_case(team)
    with time_machine.travel(timezone.now() - 6 * YEAR, tick=False):
        ContactAttemptFactory(followup=FollowUp.objects.get(survivor=survivor), notes="checked in")
    tasks.purge_expired_cases()
    assert case_rows(survivor.pk)["attempts"] == 2


def test_a_new_overdose_keeps_an_old_closed_case(team):
    survivor = make_case(team)
    OverdoseEventFactory(survivor=survivor)
    tasks.purge_expired_cases()
    assert Survivor.objects.filter(pk=survivor.pk).exists()


def test_the_cutoff_follows_the_program_setting(team, settings):
    survivor = make_case(team, ago=4 * YEAR)
    assert tasks.purge_expired_cases()["cases"] == 0
    settings.RETENTION_YEARS = 3
    assert tasks.purge_expired_cases()["cases"] == 1
    assert not Survivor.objects.filter(pk=survivor.pk).exists()


def test_duplicates_merged_into_a_purged_case_go_with_it(team):
    survivor = make_case(team)
    with time_machine.travel(timezone.now() - 9 * YEAR, tick=False):
        duplicate = SurvivorFactory(team=team, merged_into=survivor, status="active")
    tasks.purge_expired_cases()
    assert not Survivor.objects.filter(pk__in=[survivor.pk, duplicate.pk]).exists()


def test_old_rows_that_belong_to_no_case_go_too(team):
    with time_machine.travel(timezone.now() - 8 * YEAR, tick=False):
        unmatched = OverdoseEventFactory(survivor=None, team=team)
        stray = Message.objects.create(to_number="+12025550111", body="who is this", direction="in")
    recent = OverdoseEventFactory(survivor=None, team=team)
    tasks.purge_expired_cases()
    assert not OverdoseEvent.objects.filter(pk=unmatched.pk).exists()
    assert not Message.objects.filter(pk=stray.pk).exists()
    assert OverdoseEvent.objects.filter(pk=recent.pk).exists()


def test_running_twice_purges_once(team):
    make_case(team)
    assert tasks.purge_expired_cases()["cases"] == 1
    assert tasks.purge_expired_cases()["cases"] == 0
    assert AuditEvent.objects.filter(action="purge", object_type="survivors.survivor").count() == 1


def test_the_purge_runs_daily_from_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["purge-expired-cases"]
    assert entry["task"] == "port.accounts.tasks.purge_expired_cases"
    assert entry["schedule"] == 24 * 3600


def test_the_cutoff_on_a_leap_day():
    leap = timezone.make_aware(timezone.datetime(2028, 2, 29, 12))
    assert retention_cutoff(leap).date().isoformat() == "2021-02-28"
