"""The two batch jobs the benchmark times: the scheduler sweep over 10,000 due follow-ups, and a
10,000-row CSV import through the import pages. Both leave the dataset as they found it (the sweep's
rows are removed afterwards; imported events stay, as a coordinator's would)."""

import csv
import io
import random
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from followups.models import ContactAttempt, FollowUp, ScheduledEffect
from port.celery import app as celery_app
from survivors.models import OverdoseEvent, Survivor

from .harness import Timing
from .loader import CopyLoader, next_id
from .people import FIRST, LAST

H = timedelta(hours=1)


class QueryCounter:
    """Counts queries and their time cheaply (no SQL kept), for jobs of thousands of queries."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


@contextmanager
def eager_tasks(on=True):
    """Celery tasks run in this process when enqueued (the worker's work, timed here)."""

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = on
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before


def _single(ms, queries, sql_ms=None):
    return Timing(ms=[ms], queries=[queries], sql_ms=[sql_ms] if sql_ms is not None else [])


# --- The sweep -------------------------------------------------------------------------------

EFFECT_TASKS = {"followups.tasks.run_effects", "followups.tasks.run_effect"}


class QueueWorker:
    """Takes tasks off the bench's queue and runs them in this process, as a worker would.

    `run(names)` runs the tasks of those names (None: all) until the queue is empty; the
    others are kept aside, in order, for `run_kept()`. Tasks a task enqueues join the queue.
    """

    def __init__(self):
        self.ran = Counter()
        self.kept = []

    def run(self, names=None):
        queue_name = celery_app.conf.task_default_queue
        with celery_app.connection_for_read() as conn, conn.SimpleQueue(celery_app.amqp.queues[queue_name]) as queue:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    return
                name, (args, kwargs, _embed) = message.headers["task"], message.decode()
                message.ack()
                if names is None or name in names:
                    self._apply(name, args, kwargs)
                else:
                    self.kept.append((name, args, kwargs))

    def run_kept(self):
        kept, self.kept = self.kept, []
        for name, args, kwargs in kept:
            self._apply(name, args, kwargs)
        self.run()

    def _apply(self, name, args, kwargs):
        celery_app.tasks[name].apply(args=args, kwargs=kwargs, throw=True)
        self.ran[name] += 1


def purge_queue():
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(celery_app.conf.task_default_queue)


def _drain(sweep, worker=None, names=None, limit=200):
    """Run sweeps (and, given a worker, the tasks they queue) until nothing is due; returns how many were claimed."""

    total = 0
    for _ in range(limit):
        result = sweep()
        total += result.claimed + result.requeued
        if worker is not None:
            worker.run(names)
        if not (result.claimed or result.requeued):
            return total
    return total


def insert_due_followups(n, seed=7):
    """n open follow-ups whose next clock stage is due now: 60% due, 25% warning, 15% deadline."""

    rng = random.Random(seed)
    now = timezone.now()
    people = list(Survivor.objects.filter(deleted_at__isnull=True).exclude(phone="")
                  .values_list("pk", "team_id").order_by("?")[:n])
    from port.accounts.models import User

    workers = {}
    for uid, team_id in User.objects.filter(role="outreach", is_active=True).values_list("pk", "teams"):
        workers.setdefault(team_id, []).append(uid)
    ev0, fu0, ef0 = next_id(OverdoseEvent), next_id(FollowUp), next_id(ScheduledEffect)
    plan = []
    for k, (sid, team_id) in enumerate(people):
        r = rng.random()
        stage, age = ("due", 25) if r < 0.6 else (("warning", 49) if r < 0.85 else ("escalate", 73))
        plan.append((ev0 + k, fu0 + k, ef0 + k, sid, team_id, rng.choice(workers[team_id]), stage,
                     now - age * H))
    CopyLoader(OverdoseEvent, ["id", "created_at", "updated_at", "survivor_id", "team_id", "occurred_at",
                               "reported_at", "source", "source_incident_number", "outcome"]).load(
        (e, at, at, sid, team, at, at, "ems", f"SWEEP-{e}", "survived") for e, _f, _x, sid, team, _w, _s, at in plan)
    CopyLoader(FollowUp, ["id", "survivor_id", "event_id", "kind", "team_id", "assigned_to_id", "target_at",
                          "deadline_at", "status", "created_at"]).load(
        (f, sid, e, "initial", team, w, at + 24 * H, at + 72 * H, "open", at)
        for e, f, _x, sid, team, w, _s, at in plan)
    due = {"due": 24, "warning": 48, "escalate": 72}
    CopyLoader(ScheduledEffect, ["id", "followup_id", "stage", "due_at", "state", "tries"]).load(
        (x, f, stage, at + due[stage] * H, "pending", 0) for _e, f, x, _sid, _t, _w, stage, at in plan)
    return [p[0] for p in plan], [p[1] for p in plan]


def remove_sweep_rows(event_ids, followup_ids, since):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM messaging_message WHERE followup_id = ANY(%s)", [followup_ids])
        # The fallback texts that went out counted as contact attempts (their audit rows stay: append-only).
        ContactAttempt.objects.filter(followup_id__in=followup_ids).delete()
        cursor.execute("DELETE FROM accounts_notification WHERE created_at >= %s AND key LIKE 'followup:%%'", [since])
        cursor.execute("DELETE FROM followups_scheduledeffect WHERE followup_id = ANY(%s)", [followup_ids])
        cursor.execute("DELETE FROM followups_followup WHERE id = ANY(%s)", [followup_ids])
        cursor.execute("DELETE FROM survivors_overdoseevent WHERE id = ANY(%s)", [event_ids])


def bench_sweep(n=10_000, *, perform_effects):
    """Time sweeps until n due follow-ups are handled. With `perform_effects`, the effect tasks
    (notify, queue the fallback text, escalate) are taken off the queue and run in this process
    as a worker would run them; the text sends they queue are run afterwards, untimed (their
    time is in the note). As in the daytime: no quiet hours, so every fallback text is queued
    for sending, whatever the hour of the run."""

    from followups import scheduler

    with override_settings(QUIET_HOURS_START="00:00", QUIET_HOURS_END="00:00"):
        purge_queue()
        _drain(scheduler.sweep, QueueWorker())  # what was already due: the beat and the worker would have done it
        since = timezone.now()
        event_ids, followup_ids = insert_due_followups(n)
        counter, worker = QueryCounter(), QueueWorker()
        try:
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                claimed = _drain(scheduler.sweep, worker if perform_effects else None, EFFECT_TASKS)
                elapsed = time.perf_counter() - started
            states = dict(
                ScheduledEffect.objects.filter(followup_id__in=followup_ids).values_list("state")
                .annotate(n=Count("pk"))
            )
            sends, sends_started = len(worker.kept), time.perf_counter()
            if perform_effects:
                worker.run_kept()
            sends_seconds = time.perf_counter() - sends_started
        finally:
            purge_queue()
            remove_sweep_rows(event_ids, followup_ids, since)
    note = (f"claimed {claimed:,}; effect states after: {states}; {counter.count / max(1, n):.1f} queries per "
            f"follow-up")
    if perform_effects:
        note += (f"; {worker.ran['followups.tasks.run_effects']} effect batches; then {sends:,} text sends "
                 f"(not timed): {sends_seconds:.1f} s")
    return _single(elapsed * 1000, counter.count, counter.seconds * 1000), note


# --- The import ------------------------------------------------------------------------------

HEADER = ["Incident Number", "Incident Date", "First Name", "Last Name", "DOB", "Phone", "Sex", "Address", "Zip",
          "Outcome", "Naloxone", "Naloxone By", "Doses", "Destination", "Substances"]


def import_csv(rows, team_id, seed=11):
    """A 10,000-row EMS export: half people already known (matched), half new; a few bad rows."""

    rng = random.Random(seed)
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    known = list(Survivor.objects.filter(team_id=team_id, deleted_at__isnull=True, date_of_birth__isnull=False)
                 .exclude(phone="").values_list("legal_first_name", "legal_last_name", "date_of_birth", "phone", "pk")
                 .order_by("?")[: rows // 2])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    now = timezone.localtime()
    for k in range(rows):
        when = (now - timedelta(hours=rng.uniform(2, 24 * 60))).strftime("%m/%d/%Y %H:%M")
        if k % 2 == 0 and known:
            first, last, dob, phone, _pk = known[(k // 2) % len(known)]
            dob, phone = dob.strftime("%m/%d/%Y"), phone.as_national
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            dob, phone = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(1950, 2004)}", ""
        if k % 500 == 7:
            when = "not a date"  # a bad row: reported back, the rest imports
        writer.writerow([f"EMS-IMP-{stamp}-{k}", when, first, last, dob, phone, rng.choice(["M", "F"]),
                         f"{rng.randint(1, 999)} Oak St", "45011", rng.choice(["Transported"] * 9 + ["Fatal"]),
                         "yes", "EMS", str(rng.randint(1, 3)), "Springfield General", "fentanyl"])
    return out.getvalue().encode(), [person[-1] for person in known]


def bench_import(client, team_id, rows=10_000):
    """Upload, map, preview and import through the pages; the import task runs in this process.
    Afterwards the dataset is put back as it was, so the next run's pages see the same data."""

    from survivors.models import ImportBatch

    data, known_ids = import_csv(rows, team_id)
    first_new_id = next_id(Survivor)
    known_before = list(Survivor.objects.filter(pk__in=known_ids).values_list(*RESTORED))
    counter = QueryCounter()
    with eager_tasks(True), connection.execute_wrapper(counter):
        started = time.perf_counter()
        response = client.post(reverse("survivors:import_upload"), {
            "source": "ems", "file": SimpleUploadedFile("ems-export.csv", data, content_type="text/csv")},
            secure=True)
        if response.status_code != 302:
            raise RuntimeError(f"import upload: HTTP {response.status_code}")
        batch = ImportBatch.objects.order_by("-pk").first()
        mapping = {name: column for name, column in (batch.mapping or {}).items()}
        response = client.post(reverse("survivors:import_mapping", args=[batch.pk]), mapping, secure=True)
        if response.status_code != 302:
            raise RuntimeError(f"import mapping: HTTP {response.status_code}")
        client.get(reverse("survivors:import_preview", args=[batch.pk]), secure=True)
        preview_done = time.perf_counter()
        response = client.post(reverse("survivors:import_start", args=[batch.pk]), secure=True)
        elapsed = time.perf_counter() - started
    batch.refresh_from_db()
    note = (f"{len(data) / 1e6:.1f} MB; upload+mapping+preview {preview_done - started:.1f} s; status {batch.status}; "
            f"created {batch.created_events:,} events, {batch.new_survivors:,} new people, "
            f"{batch.matched_rows:,} matched, {batch.error_rows} rows refused; {counter.count:,} queries")
    remove_import(batch, first_new_id, known_before)
    return _single(elapsed * 1000, counter.count, counter.seconds * 1000), note


RESTORED = ("pk", "status", "high_risk", "high_risk_reason", "updated_at")


def remove_import(batch, first_new_id, known_before):
    """Delete what the import added and put back what it changed on the people it matched."""

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM followups_scheduledeffect WHERE followup_id IN (SELECT f.id FROM followups_followup f "
            "JOIN survivors_overdoseevent e ON e.id = f.event_id WHERE e.import_batch_id = %s)", [batch.pk])
        cursor.execute(
            "DELETE FROM followups_followup WHERE event_id IN "
            "(SELECT id FROM survivors_overdoseevent WHERE import_batch_id = %s)", [batch.pk])
        cursor.execute("DELETE FROM survivors_overdoseevent WHERE import_batch_id = %s", [batch.pk])
        cursor.execute("DELETE FROM survivors_survivor WHERE id >= %s AND team_id = %s", [first_new_id, batch.team_id])
    Survivor.objects.bulk_update(
        [Survivor(**dict(zip(RESTORED, values, strict=True))) for values in known_before],
        ["status", "high_risk", "high_risk_reason", "updated_at"], batch_size=1000,
    )
    batch.delete()
