"""The sweep's effect tasks run a claimed batch at once: each effect once, only under its own claim."""

import logging
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from followups import effects, scheduler, tasks
from followups.messaging.models import Message
from followups.models import FollowUp, ScheduledEffect
from port.accounts.models import Notification
from port.audit.models import AuditEvent

from .conftest import EVENT_AT

State = ScheduledEffect.State
# Thursday 11:00, outside quiet hours: the fallback text is queued to go out at once.
NOW = EVENT_AT + timedelta(hours=49)


@pytest.fixture
def sends(monkeypatch):
    """The text sends enqueued once a batch commits (the messaging worker's job, not run here)."""

    enqueued = []
    monkeypatch.setattr("followups.messaging.services.enqueue_send", enqueued.append)
    return enqueued


@pytest.fixture
def mix(open_event):
    """At NOW: one follow-up just due, one at its 48 h warning, one past its deadline."""

    def followup_of(hours_ago):
        return FollowUp.objects.get(event=open_event(at=NOW - timedelta(hours=hours_ago)))

    return {"due": followup_of(25), "warned": followup_of(49), "late": followup_of(73)}


@pytest.fixture
def queued(monkeypatch):
    """The batch tasks the sweep enqueues, as (ids, token): kept here, not run."""

    tasks_sent = []
    monkeypatch.setattr(tasks.run_effects, "delay", lambda ids, token: tasks_sent.append((ids, token)))
    return tasks_sent


@pytest.fixture
def claim(queued, django_capture_on_commit_callbacks):
    """claim(moment): one sweep at that moment; returns the batches it claimed, [(ids, token)]."""

    def run(moment=NOW):
        already = len(queued)
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            scheduler.sweep_unlocked()
        return queued[already:]

    return run


@pytest.fixture
def perform(django_capture_on_commit_callbacks):
    """perform(ids, token): the batch task at NOW, its commit's emails and sends included."""

    def run(ids, token, moment=NOW):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return effects.perform_effects(ids, token)

    return run


def clock_notifications():
    return Notification.objects.exclude(key__contains=":assigned")


def states(followup):
    return dict(followup.effects.values_list("stage", "state"))


def written():
    """Everything an effect writes, counted: to compare before and after a repeat."""

    return {
        "notifications": clock_notifications().count(),
        "emails": len(mail.outbox),
        "messages": Message.objects.count(),
        "audit": AuditEvent.objects.count(),
        "escalated": FollowUp.objects.filter(escalated_at__isnull=False).count(),
    }


def test_a_batch_performs_each_of_its_effects_once(mix, crew, claim, perform, sends):
    mail.outbox.clear()
    [(ids, token)] = claim()

    results = perform(ids, token)

    assert len(ids) == 6 and set(results) == set(ids)
    assert states(mix["due"]) == {"due": State.DONE, "warning": State.PENDING, "escalate": State.PENDING}
    assert states(mix["warned"]) == {"due": State.DONE, "warning": State.DONE, "escalate": State.PENDING}
    # Past the deadline, the due notice and the warning would say less than the escalation.
    assert states(mix["late"]) == {"due": State.SKIPPED, "warning": State.SKIPPED, "escalate": State.DONE}
    due, warned, late = mix["due"], mix["warned"], mix["late"]
    assert sorted(clock_notifications().values_list("key", "user")) == sorted(
        [
            (f"followup:{due.pk}:due", crew["worker"].pk),
            (f"followup:{warned.pk}:due", crew["worker"].pk),
            (f"followup:{warned.pk}:warning", crew["worker"].pk),
            (f"followup:{late.pk}:escalate:{crew['coordinator'].pk}", crew["coordinator"].pk),
        ]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([crew["worker"].email] * 3 + [crew["coordinator"].email])
    [text] = Message.objects.filter(followup=warned)
    assert (text.idempotency_key, text.status, text.sent_by) == (f"fallback:{warned.pk}:warning", "queued", None)
    assert sends == [text.pk]
    late.refresh_from_db()
    assert late.escalated_at == NOW
    assert AuditEvent.objects.filter(object_id=str(late.pk), detail__startswith="escalated").count() == 1
    queued_text = AuditEvent.objects.filter(object_id=str(text.pk), detail="fallback sms queued (warning: warning)")
    assert queued_text.count() == 1


def test_a_warned_person_who_may_not_get_texts_gets_none_and_the_audit_says_why(open_event, claim, perform, sends):
    event = open_event(at=NOW - timedelta(hours=49), safe_to_text=False, safe_voicemail=False)
    followup = FollowUp.objects.get(event=event)
    [(ids, token)] = claim()

    perform(ids, token)

    assert states(followup)["warning"] == State.DONE
    assert clock_notifications().filter(key=f"followup:{followup.pk}:warning").count() == 1
    assert not Message.objects.filter(followup=followup).exists() and sends == []
    [why] = AuditEvent.objects.filter(object_id=str(followup.pk), action="message")
    assert why.detail.startswith("fallback warning not sent: warning; Not marked safe to text")


def test_the_same_batch_delivered_again_does_nothing_twice(mix, claim, perform, sends):
    [(ids, token)] = claim()
    perform(ids, token)
    before = written()

    again = perform(ids, token)  # the broker redelivers the task

    assert set(again.values()) == {None}
    assert written() == before
    assert len(sends) == 1


def test_a_row_reclaimed_by_a_later_sweep_is_left_to_its_new_claim(mix, claim, perform, settings, sends):
    [(ids, old_token)] = claim()
    escalation = mix["late"].effects.get(stage="escalate")
    # Its task looked lost: after the stale window the sweep claimed that row again.
    ScheduledEffect.objects.filter(pk=escalation.pk).update(claimed_at=NOW - timedelta(hours=1))
    [([reclaimed], new_token)] = claim(NOW + timedelta(minutes=1))
    assert reclaimed == escalation.pk and new_token != old_token

    results = perform(ids, old_token)  # the first task turns up after all

    assert results[escalation.pk] is None
    assert {results[pk] for pk in ids if pk != escalation.pk} == {State.DONE, State.SKIPPED}
    escalation.refresh_from_db()
    assert escalation.state == State.CLAIMED and str(escalation.claim_token) == new_token
    assert not clock_notifications().filter(key__contains=":escalate:").exists()

    assert perform([reclaimed], new_token) == {reclaimed: State.DONE}
    assert clock_notifications().filter(key__contains=":escalate:").count() == 1
    assert FollowUp.objects.get(pk=mix["late"].pk).escalated_at == NOW


def test_a_bad_row_fails_alone_and_the_rest_of_its_batch_is_done(
    mix, claim, perform, monkeypatch, caplog, settings, sends
):
    real = effects.HANDLERS["escalate"]

    def broken(followup, batch):
        raise ValueError(f"bad data for {followup.survivor.legal_last_name}")

    monkeypatch.setitem(effects.HANDLERS, "escalate", broken)
    [(ids, token)] = claim()
    escalation = mix["late"].effects.get(stage="escalate")

    with caplog.at_level(logging.ERROR, logger="followups.effects"):
        results = perform(ids, token)

    assert results[escalation.pk] == "error"
    assert {results[pk] for pk in ids if pk != escalation.pk} == {State.DONE, State.SKIPPED}
    assert clock_notifications().count() == 3  # due, due and warning: all but the escalation
    escalation.refresh_from_db()
    assert (escalation.state, escalation.last_error) == (State.CLAIMED, "ValueError")
    # The log names the effect, never the person or the exception's words.
    assert f"scheduled effect {escalation.pk} failed: ValueError" in caplog.text
    assert mix["late"].survivor.legal_last_name not in caplog.text

    # Mended; once the claim is stale the sweep retries it, and only it.
    monkeypatch.setitem(effects.HANDLERS, "escalate", real)
    later = NOW + timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES + 1)
    [([retried], retry_token)] = claim(later)
    assert retried == escalation.pk
    perform([retried], retry_token, moment=later)
    assert clock_notifications().filter(key__contains=":escalate:").count() == 1
    assert not ScheduledEffect.objects.filter(state=State.CLAIMED).exists()


def test_a_batch_costs_the_same_queries_however_many_effects_it_holds(open_event, claim, sends):
    def queries_for(count):
        for hours_ago in (25, 49, 73):
            for _ in range(count):
                open_event(at=NOW - timedelta(hours=hours_ago))
        [(ids, token)] = claim()
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            effects.perform_effects(ids, token)
        assert len(ids) == count * 6
        return len(queries)

    assert queries_for(1) == queries_for(8)


def test_the_sweep_queues_one_task_per_claimed_batch(open_event, settings, claim):
    settings.SWEEP_BATCH_SIZE = 4
    for _ in range(10):
        open_event(at=NOW - timedelta(hours=25))

    batches = claim()

    assert [len(ids) for ids, _ in batches] == [4, 4, 2]
    for ids, token in batches:
        claims = ScheduledEffect.objects.filter(pk__in=ids, state=State.CLAIMED).values_list("claim_token", flat=True)
        assert [str(t) for t in claims] == [token] * len(ids)
    assert len({token for _, token in batches}) == 3


def test_a_single_effect_task_queued_before_the_batches_still_runs_once(mix, claim, perform, sends):
    [(ids, token)] = claim()
    escalation = mix["late"].effects.get(stage="escalate")

    with time_machine.travel(NOW, tick=False):
        assert tasks.run_effect(escalation.pk, token) == State.DONE
        assert tasks.run_effect(escalation.pk, token) is None
    results = perform(ids, token)  # the batch that claimed it, too

    assert results[escalation.pk] is None
    assert clock_notifications().filter(key__contains=":escalate:").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_row_whose_follow_up_is_being_saved_runs_once_the_save_is_done(mix, claim, sends):
    [(ids, token)] = claim()
    busy = mix["warned"]
    locked, release = threading.Event(), threading.Event()

    def someone_saving_the_follow_up():
        try:
            with transaction.atomic():
                FollowUp.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(timeout=15)
        finally:
            connection.close()

    saver = threading.Thread(target=someone_saving_the_follow_up)
    saver.start()
    assert locked.wait(timeout=15)
    # The batch does the rest without waiting, then waits for this one row alone.
    threading.Timer(0.5, release.set).start()
    with time_machine.travel(NOW, tick=False):
        results = effects.perform_effects(ids, token)
    saver.join(timeout=15)

    assert states(busy) == {"due": State.DONE, "warning": State.DONE, "escalate": State.PENDING}
    assert set(results.values()) == {State.DONE, State.SKIPPED}
    assert clock_notifications().filter(key__startswith=f"followup:{busy.pk}:").count() == 2
