"""The sweep through a real Celery worker on Redis: each effect happens exactly once."""

import subprocess
import tempfile
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.utils import timezone

from followups.messaging.models import Message, MessageTemplate
from followups.models import ScheduledEffect
from followups.tasks import sweep
from port.accounts.models import Notification
from port.audit.models import AuditEvent
from port.celery import app as celery_app

from .sweep_helpers import ROOT, open_followups, project_env

State = ScheduledEffect.State


def purge_queue():
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


def queue_length():
    with celery_app.connection_for_write() as conn:
        return conn.default_channel.client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)


@contextmanager
def celery_worker():
    """A worker process of this project on the test database and this run's queue."""

    with tempfile.NamedTemporaryFile("w+", prefix="port-worker-", suffix=".log") as log:
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "port", "worker", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
             "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=project_env(), stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            yield log
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_for(condition, log, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    log.seek(0)
    pytest.fail("timed out waiting for the worker; its log:\n" + log.read()[-4000:])


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_sweep_runs_through_a_real_worker_and_every_effect_happens_exactly_once(team, crew):
    from followups.messaging.defaults import DEFAULTS

    for name, channel, language, body in DEFAULTS:  # the data migration's rows (flushed by earlier tests)
        MessageTemplate.objects.get_or_create(name=name, channel=channel, language=language, defaults={"body": body})
    warned = open_followups(team, crew["coordinator"], hours_ago=49, count=2)
    escalated = open_followups(team, crew["coordinator"], hours_ago=73, count=2)
    purge_queue()

    def settled():
        due = ScheduledEffect.objects.filter(due_at__lte=timezone.now())
        return not due.filter(state__in=[State.PENDING, State.CLAIMED]).exists()

    with celery_worker() as log:
        sweep.delay()  # what the beat sends every minute
        wait_for(settled, log)
        # More sweeps (a beat that fired twice, a second beat): nothing happens again.
        [sentinel] = open_followups(team, crew["coordinator"], hours_ago=30, count=1)
        sweep.delay()
        sweep.delay()
        wait_for(lambda: sentinel.effects.get(stage="due").state == State.DONE, log)
        wait_for(lambda: queue_length() == 0, log)
        time.sleep(1)

    for f in [*warned, sentinel]:
        assert Notification.objects.filter(key=f"followup:{f.pk}:due", user=crew["worker"]).count() == 1
    for f in warned:
        assert Notification.objects.filter(key=f"followup:{f.pk}:warning").count() == 1
        assert Message.objects.filter(followup=f, idempotency_key=f"fallback:{f.pk}:warning").count() == 1
    for f in escalated:
        f.refresh_from_db()
        assert f.escalated_at is not None
        assert Notification.objects.filter(key__startswith=f"followup:{f.pk}:escalate").count() == 1
        assert not Notification.objects.filter(key=f"followup:{f.pk}:due").exists()  # late: the escalation says it
    assert AuditEvent.objects.filter(detail__startswith="escalated").count() == 2
    ran = ScheduledEffect.objects.filter(tries__gt=0)
    assert set(ran.values_list("tries", flat=True)) == {1}
    assert set(ran.values_list("state", flat=True)) == {State.DONE, State.SKIPPED}
