"""Time the pages, the sweep and the import on the generated dataset; print the table with floors."""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from port.celery import app as celery_app
from port.perf import dataset, harness, jobs, pages

BENCH_QUEUE = "port-bench"


class Command(BaseCommand):
    help = ("Benchmark on the generated dataset (PostgreSQL): p50/p95 server time and queries per request of "
            "each page over --runs requests (after one warm-up), beside its floor (hand-written SQL); then the "
            "sweep over 10,000 due follow-ups and a 10,000-row CSV import. Run `generate_dataset` first.")

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=50, help="Timed requests per page (after one warm-up).")
        parser.add_argument("--only", default="", help="Only the rows whose name contains this text.")
        parser.add_argument("--skip-jobs", action="store_true", help="Pages only: no sweep, no import.")
        parser.add_argument("--sweep-size", type=int, default=10_000)
        parser.add_argument("--import-rows", type=int, default=10_000)
        parser.add_argument("--broker", default="memory://",
                            help="Where enqueued tasks go (no worker consumes them; purged at the end), "
                                 "e.g. redis://127.0.0.1:6379/8 to count Redis in the sweep's time.")

    def handle(self, *args, runs, only, skip_jobs, sweep_size, import_rows, broker, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: point DATABASE_URL at the benchmark database.")
        if dataset.is_empty():
            raise CommandError("The database has no survivors: run `manage.py generate_dataset` first.")
        # Enqueued tasks wait on a queue of their own (no worker here); the jobs run them in-process.
        celery_app.conf.broker_url = broker
        celery_app.conf.task_default_queue = BENCH_QUEUE
        celery_app.conf.task_always_eager = False
        out = self.stdout
        out.write(f"Benchmark on {connection.settings_dict['NAME']}: {self._sizes()}")
        out.write(f"DEBUG={settings.DEBUG}; broker {broker.split('@')[-1]}; {harness.load_average()} at the start; "
                  f"{runs} timed runs per page.")
        rows = []
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            actors = pages.Actors()
            for case in pages.build_cases(actors, runs):
                if only and only not in case.name:
                    continue
                rows.append(self._run_case(case, runs))
            if not skip_jobs:
                rows += self._run_jobs(actors, only, sweep_size, import_rows)
        out.write("")
        out.write(harness.render_table(rows))
        out.write("")
        out.write(f"{harness.load_average()} at the end.")
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(BENCH_QUEUE)
        missed = [r.name for r in rows if r.met is False]
        if missed:
            out.write(self.style.WARNING("Targets missed: " + "; ".join(missed)))

    def _sizes(self):
        from followups.messaging.models import Message
        from followups.models import ContactAttempt, FollowUp
        from referrals.models import Referral
        from survivors.models import OverdoseEvent, Survivor

        counts = [(m._meta.verbose_name_plural, m.objects.count()) for m in
                  (Survivor, OverdoseEvent, FollowUp, ContactAttempt, Referral, Message)]
        return ", ".join(f"{n:,} {name}" for name, n in counts)

    def _progress(self, text):
        sys.stderr.write(f"  {text}\n")
        sys.stderr.flush()

    def _run_case(self, case, runs):
        if case.page is None:
            self._progress(f"{case.name}: not built")
            return harness.Row(case.name, None, target=f"p95<{case.target_ms:.0f}ms")
        started = time.perf_counter()
        page = harness.measure(case.page, runs)
        floor, note = None, case.note
        if case.floor is not None:
            try:
                floor = harness.measure(case.floor, runs)
            except Exception as exc:  # noqa: BLE001 - a broken floor is reported, the page timing stands
                note = f"floor failed: {type(exc).__name__}: {exc}"[:200]
                connection.close()
        row = harness.Row(case.name, page, floor, target=f"p95<{case.target_ms:.0f}ms", note=note)
        row.met = page.p95 < case.target_ms
        r = harness.ratio(row)
        if case.list_page:
            row.target += ", ratio<3"
            row.met = row.met and (r is None or r < 3)
        self._progress(f"{case.name}: p50 {page.p50:.0f} ms, p95 {page.p95:.0f} ms "
                       f"({time.perf_counter() - started:.0f} s)")
        return row

    def _run_jobs(self, actors, only, sweep_size, import_rows):
        rows = []
        specs = [
            (f"sweep: claim + enqueue {sweep_size:,} due follow-ups", lambda: jobs.bench_sweep(
                sweep_size, perform_effects=False), 20_000),
            (f"sweep + effects run ({sweep_size:,}: notify, fallback text, escalate)", lambda: jobs.bench_sweep(
                sweep_size, perform_effects=True), 20_000),
            (f"CSV import, {import_rows:,} rows (pages + task)", lambda: jobs.bench_import(
                pages.client_for(actors.coordinator), actors.team_ids[0], import_rows), 60_000),
        ]
        for name, run, target in specs:
            if only and only not in name:
                continue
            self._progress(f"{name} ...")
            try:
                timing, note = run()
            except Exception as exc:  # noqa: BLE001 - reported in the table
                rows.append(harness.Row(name, harness.Timing(), target=f"<{target // 1000}s", met=False,
                                        note=f"failed: {type(exc).__name__}: {exc}"[:300], unit="s"))
                continue
            rows.append(harness.Row(name, timing, target=f"<{target // 1000}s", met=timing.p50 < target,
                                    note=note, unit="s"))
        return rows
