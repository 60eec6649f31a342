"""The per-event facts the dashboards read stay true to the attempts and referrals they sum up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from followups.models import ContactAttempt
from followups.services import log_contact_attempt
from port.dashboards.facts import fill_event_facts_in_bulk, repair_event_facts
from port.dashboards.tasks import repair_event_facts as repair_event_facts_task
from referrals.models import Referral
from referrals.services import change_referral_status
from survivors.models import OverdoseEvent
from survivors.services import merge_survivors
from tests.factories import (
    ContactAttemptFactory,
    FollowUpFactory,
    OverdoseEventFactory,
    ReferralFactory,
    SurvivorFactory,
)

pytestmark = pytest.mark.django_db

Outcome = ContactAttempt.Outcome


def facts(event):
    event.refresh_from_db()
    return (
        event.contact_first_attempt_at, event.contact_first_reach_at, event.contact_attempts,
        event.contact_declined, event.treatment_linked,
    )


def test_logging_attempts_keeps_the_events_contact_facts(users):
    followup = FollowUpFactory()
    event = followup.event
    first = timezone.now() - timedelta(hours=1)
    reach = timezone.now() - timedelta(minutes=10)
    log_contact_attempt(followup, by=users["outreach"], method="phone", outcome=Outcome.NO_ANSWER, at=first)
    assert facts(event) == (first, None, 1, False, False)

    log_contact_attempt(followup, by=users["outreach"], method="phone", outcome=Outcome.REACHED_DECLINED, at=reach)
    assert facts(event) == (first, reach, 2, True, False)


def test_deleting_an_attempt_takes_it_out_of_the_facts():
    followup = FollowUpFactory()
    kept = ContactAttemptFactory(followup=followup, outcome=Outcome.NOT_HOME, at=timezone.now() - timedelta(hours=3))
    gone = ContactAttemptFactory(followup=followup, outcome=Outcome.REACHED_ENGAGED, at=timezone.now())
    gone.delete()
    assert facts(followup.event) == (kept.at, None, 1, False, False)


def test_a_treatment_referral_connected_within_30_days_links_the_event(users):
    event = OverdoseEventFactory(occurred_at=timezone.now() - timedelta(days=10))
    older = OverdoseEventFactory(survivor=event.survivor, occurred_at=timezone.now() - timedelta(days=45))
    referral = ReferralFactory(survivor=event.survivor, category="moud", status=Referral.Status.ACCEPTED)
    assert facts(event)[4] is False

    change_referral_status(referral, Referral.Status.CONNECTED, by=users["outreach"])
    assert facts(event)[4] is True
    assert facts(older)[4] is False  # connected 45 days after that one: outside the window


def test_a_housing_referral_does_not_link_to_treatment(users):
    event = OverdoseEventFactory(occurred_at=timezone.now() - timedelta(days=2))
    referral = ReferralFactory(survivor=event.survivor, category="housing", status=Referral.Status.ACCEPTED)
    change_referral_status(referral, Referral.Status.CONNECTED, by=users["outreach"])
    assert facts(event)[4] is False


def test_merging_people_links_the_events_the_other_record_s_referral_covers(users):
    keep = SurvivorFactory()
    merge = SurvivorFactory(team=keep.team)
    event = OverdoseEventFactory(survivor=merge, occurred_at=timezone.now() - timedelta(days=5))
    ReferralFactory(survivor=keep, category="detox", status=Referral.Status.CONNECTED, connected_at=timezone.now())
    assert facts(event)[4] is False

    merge_survivors(keep, merge, by=users["coordinator"])
    assert facts(event)[4] is True


def test_the_nightly_repair_rewrites_only_facts_that_drifted():
    attempt = ContactAttemptFactory(outcome=Outcome.REACHED_ENGAGED)
    untouched = ContactAttemptFactory(outcome=Outcome.NO_ANSWER)
    event = attempt.followup.event
    truth = facts(event)
    # A bulk write that went around the signals.
    OverdoseEvent.objects.filter(pk=event.pk).update(contact_attempts=0, contact_first_reach_at=None)

    assert repair_event_facts() == 1
    assert facts(event) == truth
    assert facts(untouched.followup.event)[2] == 1
    assert repair_event_facts() == 0


def test_the_bulk_fill_after_a_load_gives_the_same_facts_as_the_signals():
    reached = ContactAttemptFactory(outcome=Outcome.REACHED_DECLINED, at=timezone.now() - timedelta(hours=5))
    ContactAttemptFactory(followup=reached.followup, outcome=Outcome.NO_ANSWER, at=timezone.now() - timedelta(hours=9))
    linked = OverdoseEventFactory(occurred_at=timezone.now() - timedelta(days=3))
    ReferralFactory(survivor=linked.survivor, category="moud", status=Referral.Status.CONNECTED,
                    connected_at=timezone.now())
    events = [reached.followup.event, linked, OverdoseEventFactory()]
    expected = [facts(e) for e in events]
    OverdoseEvent.objects.update(
        contact_first_attempt_at=None, contact_first_reach_at=None, contact_attempts=0, contact_declined=False,
        treatment_linked=False,
    )

    fill_event_facts_in_bulk()
    assert [facts(e) for e in events] == expected
    assert expected[0][2:4] == (2, True) and expected[1][4] is True


def test_the_beat_checks_the_facts_every_night_and_the_task_repairs_them(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["repair-dashboard-facts"]
    assert (entry["task"], entry["schedule"]) == (repair_event_facts_task.name, 24 * 3600.0)

    attempt = ContactAttemptFactory(outcome=Outcome.REACHED_ENGAGED)
    OverdoseEvent.objects.filter(pk=attempt.followup.event_id).update(contact_first_reach_at=None)
    assert repair_event_facts_task.apply().get() == {"repaired": 1}
    assert facts(attempt.followup.event)[1] == attempt.at
