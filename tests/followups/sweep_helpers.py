"""Shared pieces for the sweep-safety tests: due work in the past, and counters of what ran."""

import collections
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.utils import timezone

from followups import effects
from followups.models import FollowUp
from survivors.services import record_overdose_event
from tests.factories import SurvivorFactory

ROOT = Path(__file__).resolve().parents[2]


def open_followups(team, coordinator, *, hours_ago, count):
    """`count` follow-ups for events `hours_ago` in the (real) past."""

    followups = []
    for _ in range(count):
        event = record_overdose_event(
            by=coordinator, team=team, survivor=SurvivorFactory(team=team),
            occurred_at=timezone.now() - timedelta(hours=hours_ago), source="ems",
        )
        followups.append(FollowUp.objects.get(event=event))
    return followups


class EffectCounter:
    """Counts each (follow-up, stage) handler run across threads: 'exactly once' made visible."""

    def __init__(self, monkeypatch):
        self.runs = collections.Counter()
        self.fallbacks = collections.Counter()
        self._lock = threading.Lock()
        for stage, handler in list(effects.HANDLERS.items()):
            monkeypatch.setitem(effects.HANDLERS, stage, self._wrap(stage, handler))
        monkeypatch.setattr("followups.messaging.services.queue_fallback_contacts", self._fallbacks)

    def _wrap(self, stage, handler):
        def counted(followup, batch):
            acted = handler(followup, batch)
            if acted:
                with self._lock:
                    self.runs[(followup.pk, str(stage))] += 1
            return acted

        return counted

    def _fallbacks(self, followups, *, reason, stage):
        with self._lock:
            for followup in followups:
                self.fallbacks[(followup.pk, stage)] += 1


def run_in_threads(*targets):
    """Run callables at once, each in its own thread with its own database connection."""

    results, errors = [None] * len(targets), []

    def runner(i, target):
        try:
            results[i] = target()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def project_env(**extra):
    """The environment of a separate process of this project, on the test database."""

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "port.settings", "PYTHONPATH": str(ROOT)}
    env.pop("TEST_DATABASE_NAME", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_project_python(code, **env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT, env=project_env(**env), capture_output=True, text=True, timeout=120,
    )
