"""Closed loop: a referral left without news gets a check-in, once per stale period; treatment asks at 30/90 days."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from followups.models import FollowUp
from followups.services import close_followup
from port.accounts.roles import Role
from referrals import tasks
from referrals.checks import open_referral_checks
from referrals.selectors import referral_check_reasons
from referrals.services import change_referral_status, record_treatment_progress
from tests.factories import FollowUpFactory, SurvivorFactory

from .conftest import START

pytestmark = pytest.mark.django_db


def checks_for(referral):
    return FollowUp.objects.filter(referral=referral, kind=FollowUp.Kind.REFERRAL_CHECK)


@pytest.fixture
def made_at_start(refer):
    with time_machine.travel(START, tick=False):
        return refer()


def test_no_check_in_before_the_referral_is_stale(made_at_start):
    with time_machine.travel(START + timedelta(days=6, hours=23), tick=False):
        assert open_referral_checks() == []


def test_a_stale_referral_gets_one_check_in_assigned_to_whoever_made_it(made_at_start, worker, settings):
    with time_machine.travel(START + timedelta(days=7, hours=1), tick=False):
        created = open_referral_checks()
        again = open_referral_checks()

    assert again == []
    followup = checks_for(made_at_start).get()
    assert created == [followup]
    assert followup.assigned_to == worker
    assert followup.survivor_id == made_at_start.survivor_id
    assert followup.team_id == made_at_start.team_id
    assert followup.target_at == START + timedelta(days=7, hours=1)
    assert followup.deadline_at == followup.target_at + timedelta(days=settings.CHECKIN_WINDOW_DAYS)
    assert "No change in 7 days" in referral_check_reasons([followup.pk])[followup.pk]


def test_the_stale_period_is_a_setting(made_at_start, settings):
    settings.STALE_REFERRAL_DAYS = 3
    with time_machine.travel(START + timedelta(days=3, hours=1), tick=False):
        assert len(open_referral_checks()) == 1


def test_a_status_change_answers_the_check_and_restarts_the_clock(made_at_start, worker):
    with time_machine.travel(START + timedelta(days=8), tick=False):
        open_referral_checks()
        change_referral_status(made_at_start, "accepted", by=worker, note="Intake next week")

    assert checks_for(made_at_start).get().status == FollowUp.Status.REACHED
    with time_machine.travel(START + timedelta(days=14), tick=False):
        assert open_referral_checks() == []
    with time_machine.travel(START + timedelta(days=15, hours=1), tick=False):
        assert len(open_referral_checks()) == 1
    assert checks_for(made_at_start).count() == 2


def test_still_no_news_a_period_later_asks_again_once_the_first_check_was_done(made_at_start):
    with time_machine.travel(START + timedelta(days=7, hours=1), tick=False):
        open_referral_checks()
        close_followup(checks_for(made_at_start).get(), FollowUp.Status.REACHED)
        assert open_referral_checks() == []
    with time_machine.travel(START + timedelta(days=14, hours=2), tick=False):
        assert len(open_referral_checks()) == 1
        assert open_referral_checks() == []


def test_an_open_check_is_not_duplicated_in_later_periods(made_at_start):
    with time_machine.travel(START + timedelta(days=7, hours=1), tick=False):
        open_referral_checks()
    with time_machine.travel(START + timedelta(days=21, hours=1), tick=False):
        assert open_referral_checks() == []
    assert checks_for(made_at_start).count() == 1


def test_closed_referrals_get_no_check_in(made_at_start, worker):
    with time_machine.travel(START + timedelta(days=1), tick=False):
        change_referral_status(made_at_start, "declined", by=worker)
    with time_machine.travel(START + timedelta(days=30), tick=False):
        assert open_referral_checks() == []


def test_the_check_goes_to_the_survivors_last_assignee_when_the_maker_left_the_team(refer, users, team):
    maker, other = users[Role.OUTREACH], users[Role.COORDINATOR]
    survivor = SurvivorFactory(team=team)
    FollowUpFactory(event__survivor=survivor, event__team=team, assigned_to=other)
    with time_machine.travel(START, tick=False):
        referral = refer(survivor=survivor)
    maker.teams.clear()
    maker.refresh_from_db()

    with time_machine.travel(START + timedelta(days=8), tick=False):
        open_referral_checks()

    assert checks_for(referral).get().assigned_to == other


def test_a_connected_treatment_referral_asks_still_engaged_at_30_and_90_days(made_at_start, worker):
    with time_machine.travel(START + timedelta(days=2), tick=False):
        referral = change_referral_status(made_at_start, "connected", by=worker)
    with time_machine.travel(START + timedelta(days=31), tick=False):
        assert open_referral_checks() == []
    with time_machine.travel(START + timedelta(days=32, hours=1), tick=False):
        [thirty] = open_referral_checks()
        assert open_referral_checks() == []
    assert referral_check_reasons([thirty.pk])[thirty.pk] == "Still engaged in treatment at 30 days?"

    with time_machine.travel(START + timedelta(days=33), tick=False):
        record_treatment_progress(referral, by=worker, engaged_30d=True)
    thirty.refresh_from_db()
    assert thirty.status == FollowUp.Status.REACHED

    with time_machine.travel(START + timedelta(days=93), tick=False):
        [ninety] = open_referral_checks()
    assert referral_check_reasons([ninety.pk])[ninety.pk] == "Still engaged in treatment at 90 days?"


def test_the_periodic_task_opens_the_checks_and_skips_while_another_sweep_holds_the_lock(made_at_start):
    with time_machine.travel(START + timedelta(days=8), tick=False):
        cache.add(tasks.LOCK_KEY, "1", timeout=60)
        assert tasks.check_stale_referrals.apply().get() == 0
        cache.delete(tasks.LOCK_KEY)
        assert tasks.check_stale_referrals.apply().get() == 1
        assert tasks.check_stale_referrals.apply().get() == 0
    assert checks_for(made_at_start).count() == 1


def test_the_task_runs_every_hour_from_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["check-stale-referrals"]
    assert entry["task"] == "referrals.tasks.check_stale_referrals"
    assert entry["schedule"] == 3600.0
