"""The sweep is safe: two at once, a crash half-way, a late or repeated task never act twice or lose work."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from followups import scheduler
from followups.models import ScheduledEffect
from port.accounts.models import Notification
from port.audit.models import AuditEvent

from .sweep_helpers import EffectCounter, open_followups, run_in_threads, run_project_python

State = ScheduledEffect.State


@pytest.fixture
def counter(monkeypatch):
    return EffectCounter(monkeypatch)


def expected_runs(warned, escalated):
    """Follow-ups 49 h old get their due notice and warning; 73 h old ones are escalated (and nothing else)."""

    runs = {(f.pk, "due"): 1 for f in warned}
    runs.update({(f.pk, "warning"): 1 for f in warned})
    runs.update({(f.pk, "escalate"): 1 for f in escalated})
    return runs


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_running_at_once_claim_different_rows_and_act_exactly_once(
    team, crew, eager_tasks, counter, monkeypatch, settings
):
    settings.SWEEP_BATCH_SIZE = 4
    warned = open_followups(team, crew["coordinator"], hours_ago=49, count=6)
    escalated = open_followups(team, crew["coordinator"], hours_ago=73, count=6)
    mail.outbox.clear()

    # Each sweep pauses after locking its first batch until the other has locked one too:
    # with plain FOR UPDATE the second would block on the first's rows and never arrive.
    both_hold_a_batch = threading.Barrier(2, timeout=15)
    paused = threading.local()
    claim = scheduler._claim

    def claim_then_wait(ids, now):
        claim(ids, now)
        if not getattr(paused, "done", False):
            paused.done = True
            both_hold_a_batch.wait()

    monkeypatch.setattr(scheduler, "_claim", claim_then_wait)

    first, second = run_in_threads(scheduler.sweep_unlocked, scheduler.sweep_unlocked)

    assert first.claimed > 0 and second.claimed > 0
    assert first.claimed + second.claimed == 6 * 2 + 6 * 3  # every due row once: none twice, none lost
    assert dict(counter.runs) == expected_runs(warned, escalated)
    assert dict(counter.fallbacks) == {(f.pk, "warning"): 1 for f in warned}
    assert Notification.objects.filter(key__contains=":escalate:").count() == 6
    assert AuditEvent.objects.filter(detail__startswith="escalated").count() == 6
    # One email per notification: the worker's due notice and warning, the coordinator's escalations.
    assert len(mail.outbox) == Notification.objects.exclude(key__contains=":assigned:").count() == 18
    assert not ScheduledEffect.objects.filter(state=State.CLAIMED).exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_sweep_while_one_runs_is_turned_away_by_the_lock(team, crew, eager_tasks, counter, monkeypatch):
    warned = open_followups(team, crew["coordinator"], hours_ago=49, count=2)
    inside, second_done = threading.Event(), threading.Event()
    claim = scheduler._claim

    def claim_slowly(ids, now):
        claim(ids, now)
        inside.set()
        second_done.wait(timeout=15)

    monkeypatch.setattr(scheduler, "_claim", claim_slowly)

    def second_sweep():
        inside.wait(timeout=15)
        try:
            return scheduler.sweep()
        finally:
            second_done.set()

    first, second = run_in_threads(scheduler.sweep, second_sweep)

    assert second.locked_out and second.claimed == 0
    assert first.claimed == 4
    assert dict(counter.runs) == expected_runs(warned, [])
    assert cache.get(scheduler.LOCK_KEY) is None  # released when the first finished


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_after_claiming_loses_nothing_and_the_stale_claims_run_once(
    team, crew, eager_tasks, counter, settings
):
    warned = open_followups(team, crew["coordinator"], hours_ago=49, count=3)
    escalated = open_followups(team, crew["coordinator"], hours_ago=73, count=2)
    mail.outbox.clear()

    # A real sweep process, killed the moment its claims are committed, before any task is sent.
    crashed = run_project_python(
        "import os\n"
        "from followups import scheduler\n"
        "scheduler.enqueue_effects = lambda *args: os._exit(9)\n"
        "scheduler.sweep()\n",
        SWEEP_LOCK_SECONDS=2,
    )
    assert crashed.returncode == 9, crashed.stderr[-2000:]
    assert ScheduledEffect.objects.filter(state=State.CLAIMED).count() == 3 * 2 + 2 * 3
    assert not Notification.objects.exclude(key__contains=":assigned:").exists()

    # Its lock outlives it only for SWEEP_LOCK_SECONDS; meanwhile sweeps are turned away.
    assert scheduler.sweep().locked_out
    # Before the claims are stale, nothing is redone.
    assert scheduler.sweep_unlocked().claimed == 0
    deadline = time.monotonic() + 10
    while cache.get(scheduler.LOCK_KEY) is not None and time.monotonic() < deadline:
        time.sleep(0.2)

    stale = timezone.now() + timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES, seconds=30)
    with time_machine.travel(stale, tick=False):
        result = scheduler.sweep()
    with time_machine.travel(stale + timedelta(minutes=10), tick=False):
        scheduler.sweep()

    assert result.requeued == 12
    assert dict(counter.runs) == expected_runs(warned, escalated)
    assert dict(counter.fallbacks) == {(f.pk, "warning"): 1 for f in warned}
    assert len(mail.outbox) == 3 + 3 + 2
    assert set(ScheduledEffect.objects.filter(tries__gt=0).values_list("tries", flat=True)) == {2}
    assert not ScheduledEffect.objects.filter(state=State.CLAIMED).exists()


@pytest.mark.django_db
def test_an_effect_that_fails_half_way_is_rolled_back_and_retried_once(
    team, crew, counter, monkeypatch, sweep_at, settings
):
    [followup] = open_followups(team, crew["coordinator"], hours_ago=30, count=1)
    mail.outbox.clear()
    real = scheduler_effects_handler("due")
    database = {"lost": True}

    def notify_then_fail(f, batch):
        acted = real(f, batch)  # the notification is on its way ...
        if database["lost"]:
            raise ConnectionError("worker lost its database half-way")  # ... and rolled back
        return acted

    monkeypatch.setitem(scheduler_effects(), "due", notify_then_fail)
    now = timezone.now()

    sweep_at(now)  # its batch fails, and so does the row run on its own after it
    effect = followup.effects.get(stage="due")
    assert effect.state == State.CLAIMED and effect.last_error == "ConnectionError"
    assert not Notification.objects.filter(key=f"followup:{followup.pk}:due").exists()
    assert mail.outbox == []

    database["lost"] = False
    sweep_at(now + timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES + 1))
    sweep_at(now + timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES * 3))

    effect.refresh_from_db()
    assert effect.state == State.DONE and effect.tries == 2 and effect.last_error == ""
    assert Notification.objects.filter(key=f"followup:{followup.pk}:due").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_late_task_from_an_old_claim_and_a_redelivered_task_do_nothing(
    team, crew, counter, django_capture_on_commit_callbacks, eager_tasks, settings
):
    [followup] = open_followups(team, crew["coordinator"], hours_ago=73, count=1)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as lost_in_the_broker:
        scheduler.sweep(now=now)
    old_claim = ScheduledEffect.objects.get(followup=followup, stage="escalate").claim_token

    later = now + timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES + 1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True) as requeued:
        scheduler.sweep()
    effect = ScheduledEffect.objects.get(followup=followup, stage="escalate")
    assert effect.state == State.DONE and effect.claim_token != old_claim

    # The first claim's message finally arrives; and the broker redelivers the second one.
    from followups.effects import perform_effect

    assert perform_effect(effect.pk, str(old_claim)) is None
    for callback in [*lost_in_the_broker, *requeued]:
        callback()
    assert counter.runs[(followup.pk, "escalate")] == 1
    assert Notification.objects.filter(key__startswith=f"followup:{followup.pk}:escalate").count() == 1


@pytest.mark.django_db
def test_an_effect_that_keeps_failing_is_given_up_after_the_maximum_tries(
    team, crew, monkeypatch, sweep_at, settings, caplog
):
    settings.SWEEP_MAX_TRIES = 3
    [followup] = open_followups(team, crew["coordinator"], hours_ago=30, count=1)

    def always_fail(f, batch):
        raise RuntimeError("broken")

    monkeypatch.setitem(scheduler_effects(), "due", always_fail)
    now = timezone.now()
    step = timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES + 1)
    for i in range(6):
        sweep_at(now + i * step)

    effect = followup.effects.get(stage="due")
    assert effect.state == State.FAILED and effect.tries == 3
    assert "gave up on scheduled effects" in caplog.text


def scheduler_effects():
    from followups import effects

    return effects.HANDLERS


def scheduler_effects_handler(stage):
    return scheduler_effects()[stage]
