"""Load a program's accumulated records at scale (PostgreSQL), for the benchmark."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from port.perf import dataset


class Command(BaseCommand):
    help = (
        "Generate a realistic dataset: by default 100,000 survivors, 150,000 events, 400,000 contact attempts, "
        "100,000 referrals, 200,000 messages, 500 organisations, 50 staff in 5 teams (password "
        f"{dataset.BENCH_PASSWORD!r}, usernames bench-*). --scale 0.01 for a small run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply every count (staff stay 50).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--flush", action="store_true",
                            help="Empty the domain tables first (only in a database whose name contains 'bench').")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when survivors already exist.")

    def handle(self, *args, scale, seed, flush, if_empty, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_dataset loads with PostgreSQL COPY: point DATABASE_URL at PostgreSQL.")
        if scale <= 0:
            raise CommandError("--scale must be greater than 0, e.g. --scale 0.01 for a small run.")
        name = connection.settings_dict["NAME"]
        if flush:
            if "bench" not in name:
                raise CommandError(f"--flush empties tables: refused in database {name!r} (its name lacks 'bench').")
            dataset.flush()
        elif if_empty and not dataset.is_empty():
            self.stdout.write(f"{name} already holds survivors: nothing generated.")
            return
        self.stdout.write(f"Generating the dataset at scale {scale} into {name} ...")
        started = time.perf_counter()
        ctx = dataset.generate(scale, seed=seed, stdout=self.stdout)
        total = time.perf_counter() - started
        rows = sum(n for _what, n, _s in ctx.timings)
        self.stdout.write(self.style.SUCCESS(f"Generated {rows:,} rows in {total:.1f} s ({rows / total:,.0f} rows/s)."))
        self.stdout.write(f"Staff log in as bench-coordinator-1, bench-outreach-1-1, bench-supervisor-1, ... "
                          f"with the password {dataset.BENCH_PASSWORD!r}.")
