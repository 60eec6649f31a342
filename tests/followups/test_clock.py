"""The 24-72 hour clock, with time travel: opened right, due at 24 h, warned at 48 h, escalated at 72 h once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from followups.models import ContactAttempt, FollowUp, ScheduledEffect
from followups.services import log_contact_attempt
from port.accounts.models import Notification
from port.audit.models import AuditEvent

from .conftest import EVENT_AT, hours_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def fallback_calls(monkeypatch):
    """Record the fallbacks the sweep asks the messaging service for (its own tests cover what it sends)."""

    calls = []

    def spy(followups, *, reason, stage):
        calls.extend({"followup": f.pk, "reason": reason, "stage": stage, "by": None} for f in followups)

    monkeypatch.setattr("followups.messaging.services.queue_fallback_contacts", spy)
    return calls


def notifications(followup, stage):
    return Notification.objects.filter(key__startswith=f"followup:{followup.pk}:{stage}")


def test_a_non_fatal_event_opens_a_followup_with_target_at_24_hours_and_deadline_at_72(open_event, crew):
    event = open_event()

    followup = FollowUp.objects.get(event=event)
    assert followup.kind == FollowUp.Kind.INITIAL
    assert followup.status == FollowUp.Status.OPEN
    assert followup.target_at == EVENT_AT + timedelta(hours=24)
    assert followup.deadline_at == EVENT_AT + timedelta(hours=72)
    assert followup.assigned_to == crew["worker"]
    effects = dict(followup.effects.values_list("stage", "due_at"))
    assert effects == {
        "due": EVENT_AT + timedelta(hours=24),
        "warning": EVENT_AT + timedelta(hours=48),
        "escalate": EVENT_AT + timedelta(hours=72),
    }


def test_the_clock_windows_come_from_the_program_settings(open_event, settings):
    settings.FOLLOWUP_TARGET_HOURS = 12
    settings.FOLLOWUP_DEADLINE_HOURS = 48
    settings.FOLLOWUP_WARNING_HOURS = 36

    followup = FollowUp.objects.get(event=open_event())

    assert followup.target_at == EVENT_AT + timedelta(hours=12)
    assert followup.deadline_at == EVENT_AT + timedelta(hours=48)
    assert followup.effects.get(stage="warning").due_at == EVENT_AT + timedelta(hours=36)


def test_a_fatal_event_opens_a_family_support_followup_instead(open_event):
    event = open_event(fatal=True)

    followups = list(FollowUp.objects.filter(event=event))
    assert [f.kind for f in followups] == [FollowUp.Kind.FAMILY_SUPPORT]
    assert followups[0].survivor == event.survivor
    # Family support has no 48-hour warning: no text goes to the number of someone who died.
    assert set(followups[0].effects.values_list("stage", flat=True)) == {"due", "escalate"}


def test_saving_the_same_event_twice_opens_one_followup(open_event):
    from followups.services import open_followups_for_event

    event = open_event()
    again = open_followups_for_event(event)

    assert FollowUp.objects.filter(event=event).count() == 1
    assert again == FollowUp.objects.get(event=event)


def test_the_assignee_is_notified_when_the_followup_becomes_due(open_event, crew, sweep_at):
    followup = FollowUp.objects.get(event=open_event())
    mail.outbox.clear()

    sweep_at(hours_after(EVENT_AT, 23, 59))
    assert not notifications(followup, "due").exists()

    sweep_at(hours_after(EVENT_AT, 24))
    due = notifications(followup, "due").get()
    assert due.user == crew["worker"]
    assert due.url == f"/followups/{followup.pk}/"
    assert [m.to for m in mail.outbox] == [[crew["worker"].email]]
    # The notice says a follow-up is due, never who it is about.
    assert followup.survivor.legal_last_name not in due.text + mail.outbox[0].body

    sweep_at(hours_after(EVENT_AT, 25))
    assert notifications(followup, "due").count() == 1
    assert len(mail.outbox) == 1


def test_a_warning_and_the_fallback_go_out_at_48_hours_without_a_contact_attempt(
    open_event, crew, sweep_at, fallback_calls
):
    followup = FollowUp.objects.get(event=open_event())

    sweep_at(hours_after(EVENT_AT, 47, 59))
    assert not notifications(followup, "warning").exists()
    assert fallback_calls == []

    sweep_at(hours_after(EVENT_AT, 48))
    sweep_at(hours_after(EVENT_AT, 48, 1))

    assert notifications(followup, "warning").get().user == crew["worker"]
    assert fallback_calls == [{"followup": followup.pk, "reason": "warning", "stage": "warning", "by": None}]


def test_no_warning_or_fallback_after_someone_tried(open_event, crew, sweep_at, fallback_calls):
    followup = FollowUp.objects.get(event=open_event())
    with time_machine.travel(hours_after(EVENT_AT, 30), tick=False):
        log_contact_attempt(followup, by=crew["worker"], method="visit", outcome="not_home")

    sweep_at(hours_after(EVENT_AT, 48))

    assert not notifications(followup, "warning").exists()
    assert fallback_calls == []
    assert followup.effects.get(stage="warning").state == ScheduledEffect.State.SKIPPED


def test_escalates_to_the_coordinators_once_at_the_deadline(open_event, crew, sweep_at, make_user, fallback_calls):
    second_coordinator = make_user(role="coordinator", username="coordinator2")
    followup = FollowUp.objects.get(event=open_event())

    sweep_at(hours_after(EVENT_AT, 71, 59))
    followup.refresh_from_db()
    assert followup.escalated_at is None

    deadline = hours_after(EVENT_AT, 72)
    sweep_at(deadline)
    for later in (72.5, 73, 96):
        sweep_at(EVENT_AT + timedelta(hours=later))

    followup.refresh_from_db()
    assert followup.escalated_at == deadline
    assert followup.status == FollowUp.Status.OPEN  # the team may keep trying
    escalations = notifications(followup, "escalate")
    assert sorted(n.user.username for n in escalations) == sorted(["coordinator", second_coordinator.username])
    assert AuditEvent.objects.filter(object_id=str(followup.pk), detail__startswith="escalated").count() == 1


def test_reaching_the_person_closes_the_followup_and_stops_the_clock(open_event, crew, sweep_at, fallback_calls):
    followup = FollowUp.objects.get(event=open_event())
    reached_at = hours_after(EVENT_AT, 30)
    with time_machine.travel(reached_at, tick=False):
        log_contact_attempt(followup, by=crew["worker"], method="visit", outcome="reached_engaged")

    sweep_at(hours_after(EVENT_AT, 80))

    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.REACHED
    assert followup.closed_at == reached_at
    assert followup.escalated_at is None
    assert not notifications(followup, "warning").exists()
    assert not notifications(followup, "escalate").exists()
    assert fallback_calls == []
    assert set(followup.effects.values_list("state", flat=True)) == {ScheduledEffect.State.SKIPPED}
    followup.survivor.refresh_from_db()
    assert followup.survivor.status == "engaged"


def test_checkins_are_scheduled_from_the_first_contact_not_the_event(open_event, crew, settings):
    settings.CHECKIN_DAYS = [7, 30, 90]
    followup = FollowUp.objects.get(event=open_event())
    first_try = hours_after(EVENT_AT, 26)
    first_contact = hours_after(EVENT_AT, 50)
    with time_machine.travel(first_try, tick=False):
        log_contact_attempt(followup, by=crew["worker"], method="phone", outcome="no_answer")
    with time_machine.travel(first_contact, tick=False):
        log_contact_attempt(followup, by=crew["worker"], method="visit", outcome="reached_engaged")

    checkins = list(FollowUp.objects.filter(parent=followup).order_by("checkin_day"))

    assert [c.checkin_day for c in checkins] == [7, 30, 90]
    assert [c.target_at for c in checkins] == [first_contact + timedelta(days=d) for d in (7, 30, 90)]
    assert all(c.kind == FollowUp.Kind.CHECKIN and c.assigned_to == crew["worker"] for c in checkins)
    assert all(c.deadline_at == c.target_at + timedelta(days=settings.CHECKIN_WINDOW_DAYS) for c in checkins)


def test_a_checkin_reminds_the_worker_on_its_day(open_event, crew, sweep_at):
    followup = FollowUp.objects.get(event=open_event())
    contact = hours_after(EVENT_AT, 20)
    with time_machine.travel(contact, tick=False):
        log_contact_attempt(followup, by=crew["worker"], method="visit", outcome="reached_engaged")
    week = FollowUp.objects.get(parent=followup, checkin_day=7)

    sweep_at(contact + timedelta(days=6, hours=23))
    assert not notifications(week, "due").exists()
    sweep_at(contact + timedelta(days=7))
    assert notifications(week, "due").get().user == crew["worker"]


def test_a_late_sweep_escalates_without_a_stale_due_notice(open_event, crew, sweep_at, fallback_calls):
    """If the beat was down for days, the worker is not told "due" after the deadline: the coordinator is."""

    followup = FollowUp.objects.get(event=open_event())

    sweep_at(hours_after(EVENT_AT, 100))

    assert not notifications(followup, "due").exists()
    assert not notifications(followup, "warning").exists()
    assert fallback_calls == []
    assert notifications(followup, "escalate").get().user == crew["coordinator"]


def test_a_followup_with_nobody_assigned_tells_the_coordinators_it_is_due(open_event, crew, sweep_at):
    crew["worker"].is_active = False
    crew["worker"].save()
    followup = FollowUp.objects.get(event=open_event())
    assert followup.assigned_to is None

    sweep_at(hours_after(EVENT_AT, 24))

    assert notifications(followup, "due").get().user == crew["coordinator"]


def test_reaching_the_person_by_phone_and_declining_closes_as_declined(open_event, crew):
    followup = FollowUp.objects.get(event=open_event())

    log_contact_attempt(followup, by=crew["worker"], method="phone", outcome=ContactAttempt.Outcome.REACHED_DECLINED,
                        at=hours_after(EVENT_AT, 5))

    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DECLINED
    assert FollowUp.objects.filter(parent=followup).count() == 3
