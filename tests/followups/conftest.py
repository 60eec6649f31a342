"""Helpers for the follow-up tests: events that start the clock, and sweeps run like the beat's."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from port.accounts.roles import Role
from port.celery import app as celery_app
from survivors.services import record_overdose_event
from tests.factories import SurvivorFactory

# A fixed moment in the program's time zone: Tuesday 10:00.
EVENT_AT = timezone.make_aware(datetime(2026, 3, 3, 10, 0))


@pytest.fixture
def eager_tasks():
    """Run enqueued Celery tasks in-process (the worker test uses a real worker instead)."""

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def crew(users):
    """The team's coordinator and its one outreach worker (who gets every automatic assignment)."""

    return {"coordinator": users[Role.COORDINATOR], "worker": users[Role.OUTREACH]}


@pytest.fixture
def open_event(team, crew):
    """open_event(at=..., fatal=False, **survivor fields) -> the event, its follow-up opened by the service."""

    def make(at=EVENT_AT, fatal=False, **survivor_fields):
        survivor = SurvivorFactory(team=team, **survivor_fields)
        return record_overdose_event(
            by=crew["coordinator"], team=team, survivor=survivor, occurred_at=at, source="ems",
            outcome="fatal" if fatal else "survived",
        )

    return make


@pytest.fixture
def sweep_at(django_capture_on_commit_callbacks, eager_tasks):
    """sweep_at(moment): travel there and run one sweep; its effect tasks run on commit, in-process."""

    import time_machine

    from followups import scheduler

    def run(moment):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return scheduler.sweep()

    return run


def hours_after(start, hours, minutes=0):
    return start + timedelta(hours=hours, minutes=minutes)
