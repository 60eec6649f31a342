"""When parts fail: a worker killed mid-send, Redis restarted, PostgreSQL dropping the sweep's connection,
Twilio answering 500, 429 or not at all. After each: no follow-up lost, no text sent twice, every
message row in a true state, and the system catching up by itself once the part is back."""

from collections import Counter
from datetime import timedelta

import psycopg
import pytest
import time_machine
from django.db import OperationalError, connection
from django.db.utils import InterfaceError
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from followups import scheduler
from followups.messaging import sending
from followups.messaging.defaults import DEFAULTS
from followups.messaging.models import Message, MessageTemplate
from followups.messaging.services import queue_fallback_contact
from followups.models import ScheduledEffect
from port.accounts.models import Notification
from port.accounts.roles import Role
from port.celery import app as celery_app
from tests.factories import FollowUpFactory, OverdoseEventFactory, SurvivorFactory, UserFactory
from tests.fake_twilio import AUTH_TOKEN, FakeTwilio
from tests.followups.sweep_helpers import open_followups

from .processes import PUBLIC_BASE_URL, RedisServer, Worker, run_sweep, twilio_env, wait_until

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

State = ScheduledEffect.State
FINAL_OR_SENT = {Message.Status.SENT, Message.Status.DELIVERED}


@pytest.fixture
def templates(db):
    for name, channel, language, body in DEFAULTS:
        MessageTemplate.objects.get_or_create(name=name, channel=channel, language=language, defaults={"body": body})


@pytest.fixture
def fake_twilio(settings):
    fake = FakeTwilio().start()
    for name, value in twilio_env(fake).items():
        setattr(settings, name, float(value) if name == "TWILIO_HTTP_TIMEOUT_SECONDS" else value)
    yield fake
    fake.stop()


@pytest.fixture
def crew(team):
    return {
        "worker": UserFactory(role=Role.OUTREACH, teams=[team], first_name="Dana"),
        "coordinator": UserFactory(role=Role.COORDINATOR, teams=[team]),
    }


def purge_queue():
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(celery_app.conf.task_default_queue)


def followups_with_phones(team, worker, count):
    """Open follow-ups of people who can get texts, each with its own number."""

    made = []
    for i in range(count):
        survivor = SurvivorFactory(team=team, phone=f"+1202555{7000 + i:04d}", safe_to_text=True, language="en")
        made.append(FollowUpFactory(event=OverdoseEventFactory(survivor=survivor, team=team), assigned_to=worker))
    return made


def texts_by_number(fake, accepted_only=True):
    return Counter(r.one("To") for r in fake.texts() if r.sid or not accepted_only)


def twilio_says(client, message, status):
    """Twilio's status callback for one of our rows, signed as Twilio signs it."""

    path = reverse("messaging:twilio_status", args=[message.pk])
    sid = message.twilio_sid or ""
    params = {"MessageSid": sid, "MessageStatus": status}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + path, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_worker_killed_mid_batch_neither_loses_a_text_nor_sends_one_twice(
    client, team, crew, templates, fake_twilio
):
    followups = followups_with_phones(team, crew["worker"], 5)
    purge_queue()
    for _ in followups:
        fake_twilio.then(201, delay=1.0)  # a slow Twilio: the kill lands while a send is in flight
    messages = [queue_fallback_contact(f, reason="visit not possible", stage="visit") for f in followups]
    assert all(m.status == Message.Status.QUEUED for m in messages)

    first = Worker(**twilio_env(fake_twilio)).start()
    second = Worker(**twilio_env(fake_twilio))
    try:
        assert wait_until(lambda: len(fake_twilio.texts()) >= 2, 60), first.output()[-3000:]
        first.kill9()  # kill -9 while Twilio holds the second text
        in_flight_request = fake_twilio.texts()[-1]
        in_flight = Message.objects.get(to_number=in_flight_request.one("To"))
        assert in_flight.status == Message.Status.SENDING

        second.start()  # the new worker takes the tasks still queued
        sent = Message.objects.filter(status=Message.Status.SENT)
        assert wait_until(lambda: sent.count() == len(messages) - 1, 60), second.output()[-3000:]
        # The beat's periodic task, once the dead worker's claim is stale: settle what it left half-done.
        sending.send_due_messages(now=timezone.now() + timedelta(minutes=6))
    finally:
        first.stop()
        second.stop()

    # Twilio got every text exactly once; the one in flight was not sent again.
    assert texts_by_number(fake_twilio, accepted_only=False) == {m.to_number: 1 for m in messages}
    in_flight.refresh_from_db()
    assert in_flight.status == Message.Status.UNKNOWN  # true: we never heard Twilio's answer
    # Twilio's status callback reconciles it; nothing is resent.
    in_flight.twilio_sid = in_flight_request.sid
    assert twilio_says(client, in_flight, "delivered").status_code == 200
    assert {m.status for m in Message.objects.all()} <= FINAL_OR_SENT
    assert len(fake_twilio.texts()) == len(messages)


def test_follow_ups_that_come_due_while_redis_is_down_are_all_done_once_when_it_is_back(team, crew, templates):
    redis = RedisServer().start()
    worker = Worker(REDIS_URL=redis.url)
    try:
        worker.start()
        # Claimed just before Redis goes: their tasks are still queued (on a queue no worker has
        # reached yet) when Redis stops, and a Redis without persistence comes back without them.
        before = open_followups(team, crew["coordinator"], hours_ago=30, count=2)
        assert run_sweep(redis_url=redis.url, queue="port-perf-not-consumed").returncode == 0
        assert ScheduledEffect.objects.filter(followup__in=before, stage="due", state=State.CLAIMED).count() == 2

        redis.stop()
        during = open_followups(team, crew["coordinator"], hours_ago=30, count=2)  # due while Redis is down
        down = run_sweep(redis_url=redis.url)
        assert down.returncode != 0 and "ConnectionError" in down.stderr  # the beat fails loudly ...
        assert ScheduledEffect.objects.filter(followup__in=during, stage="due", state=State.PENDING).count() == 2

        redis.start()  # ... and Redis comes back, empty; the worker reconnects by itself
        assert wait_until(lambda: worker.output().count("Connected to redis") >= 2, 60), worker.output()[-3000:]
        # The next beats, after the stale-claim window: the lost claims are claimed again.
        assert run_sweep(redis_url=redis.url, minutes_ahead=6).returncode == 0
        everyone = [*before, *during]
        done = ScheduledEffect.objects.filter(followup__in=everyone, stage="due", state=State.DONE)
        assert wait_until(lambda: done.count() == 4, 60), worker.output()[-3000:]
    finally:
        worker.stop()
        redis.stop()

    for f in everyone:
        assert Notification.objects.filter(key=f"followup:{f.pk}:due", user=crew["worker"]).count() == 1
    assert set(ScheduledEffect.objects.filter(followup__in=before, stage="due").values_list("tries", flat=True)) == {2}
    assert set(ScheduledEffect.objects.filter(followup__in=during, stage="due").values_list("tries", flat=True)) == {1}


def locks_held_on_effects_by_others():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'followups_scheduledeffect' AND l.pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def sessions_waiting_on_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def emails_in(worker_log, words):
    """Emails whose subject has these words, in a worker's log (the console backend prints them there)."""

    return sum(1 for line in worker_log.splitlines() if "Subject: " in line and words in line)


def test_a_worker_killed_in_the_middle_of_an_effect_batch_loses_none_and_does_none_twice(team, crew):
    followups = open_followups(team, crew["coordinator"], hours_ago=30, count=4)
    first = followups[0]
    purge_queue()
    # Another transaction is writing the first follow-up's due notice and has not committed: the
    # batch's insert of its notifications waits on that key, half-way through its transaction.
    blocker = psycopg.connect(**connection.get_connection_params(), autocommit=False)
    blocker.execute(
        "INSERT INTO accounts_notification (user_id, key, text, url, created_at) VALUES (%s, %s, 'x', '', now())",
        [crew["worker"].pk, f"followup:{first.pk}:due"],
    )
    killed, second = Worker(), Worker()
    try:
        killed.start()
        assert scheduler.sweep().claimed == 4  # one batch, one task
        assert wait_until(lambda: sessions_waiting_on_a_lock() == 1, 60), killed.output()[-3000:]
        killed.kill9()
        blocker.rollback()  # the dead worker's session finds its client gone and rolls back
        assert wait_until(lambda: locks_held_on_effects_by_others() == 0, 30)

        due = ScheduledEffect.objects.filter(followup__in=followups, stage="due")
        assert due.filter(state=State.CLAIMED).count() == 4  # nothing of the batch was kept ...
        assert not Notification.objects.filter(key__endswith=":due").exists()

        second.start()  # ... and once the claims are stale the next beat claims them again
        assert scheduler.sweep(now=timezone.now() + timedelta(minutes=6)).requeued == 4
        assert wait_until(lambda: due.filter(state=State.DONE).count() == 4, 60), second.output()[-3000:]
        # The emails go once the batch commits.
        assert wait_until(lambda: all(emails_in(second.output(), f"#{f.pk} is due") for f in followups), 30)
        logs = {"killed": killed.output(), "second": second.output()}
    finally:
        blocker.close()
        killed.stop()
        second.stop()

    assert set(due.values_list("tries", flat=True)) == {2}
    for f in followups:
        assert Notification.objects.filter(key=f"followup:{f.pk}:due", user=crew["worker"]).count() == 1
        assert emails_in(logs["killed"], f"#{f.pk} is due") == 0  # the killed batch emailed nobody
        assert emails_in(logs["second"], f"#{f.pk} is due") == 1


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_a_sweep_whose_database_connection_is_dropped_loses_nothing_and_the_next_one_catches_up(
    monkeypatch, settings, team, crew, templates, eager_tasks
):
    settings.SWEEP_BATCH_SIZE = 2
    followups = open_followups(team, crew["coordinator"], hours_ago=30, count=6)
    original_claim, calls = scheduler._claim, []

    def claim_then_lose_the_connection(ids, now):
        calls.append(ids)
        if len(calls) == 2:  # the second batch: the administrator (or a failover) ends our session
            pid = connection.connection.info.backend_pid
            params = connection.get_connection_params()
            with psycopg.connect(**params, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return original_claim(ids, now)

    monkeypatch.setattr(scheduler, "_claim", claim_then_lose_the_connection)
    with pytest.raises((OperationalError, InterfaceError)):
        scheduler.sweep()
    connection.close_if_unusable_or_obsolete()  # what the worker does before its next task

    due = ScheduledEffect.objects.filter(followup__in=followups, stage="due")
    assert due.filter(state=State.DONE).count() == 2  # the first batch went through
    assert due.filter(state=State.PENDING).count() == 4  # the interrupted batch was rolled back, not lost
    scheduler.sweep()  # the next minute's sweep
    assert due.filter(state=State.DONE).count() == 6
    assert set(due.values_list("tries", flat=True)) == {1}
    for f in followups:
        assert Notification.objects.filter(key=f"followup:{f.pk}:due").count() == 1


def test_twilio_answering_500_429_or_nothing_loses_no_text_and_sends_none_twice(
    client, settings, team, crew, templates, fake_twilio, eager_tasks
):
    settings.TWILIO_HTTP_TIMEOUT_SECONDS = 1.0
    fake_twilio.then(500).then(429, code=20429).then(201, delay=2.5)  # the third: no answer in time
    followups = followups_with_phones(team, crew["worker"], 3)
    broken, busy, silent = (queue_fallback_contact(f, reason="visit not possible", stage="visit") for f in followups)

    for m in (broken, busy, silent):
        m.refresh_from_db()
    assert (broken.status, broken.error_code) == (Message.Status.QUEUED, "500")  # retried later, with backoff
    assert broken.send_after > timezone.now()
    assert busy.status == Message.Status.QUEUED and busy.send_after > timezone.now()
    assert silent.status == Message.Status.UNKNOWN  # Twilio may have it: never resent blindly

    # Twilio is healthy again; the periodic task after the backoff sends what waited.
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
        sending.send_due_messages()
    for m in (broken, busy, silent):
        m.refresh_from_db()
    assert broken.status == busy.status == Message.Status.SENT
    assert silent.status == Message.Status.UNKNOWN
    silent.twilio_sid = fake_twilio.texts()[2].sid
    assert twilio_says(client, silent, "delivered").status_code == 200
    silent.refresh_from_db()
    assert silent.status == Message.Status.DELIVERED

    # Each person got exactly one text (a 500 or 429 means Twilio did not take it).
    assert texts_by_number(fake_twilio) == {m.to_number: 1 for m in (broken, busy, silent)}
    assert len(fake_twilio.texts()) == 5  # 500 and 429, their retries, and the one that timed out
    for f in followups:
        assert f.attempts.filter(method="text", outcome="sent").count() == 1
