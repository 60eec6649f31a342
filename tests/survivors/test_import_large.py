"""A 10,000-row export imports through the service in bulk, quickly, and nothing twice."""

import random
import time
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups.models import FollowUp
from survivors import importer
from survivors.models import OverdoseEvent, Survivor
from survivors.text import search_fields

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 6, 1, 12, 0))
ROWS = 10_000
FIRST = ["Ava", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jade", "Kai", "Lena", "Milo", "Nia",
         "Omar", "Pia", "Quin", "Rosa", "Sam", "Tess", "Uma", "Vic", "Wren", "Xavi", "Yara", "Zed", "Abel", "Bria",
         "Cruz", "Dina", "Enzo", "Fern", "Gia", "Hugo", "Iris", "Joel", "Kira", "Luca", "Mara", "Noel"]
LAST = ["Adler", "Brook", "Castro", "Dunn", "Ellis", "Frost", "Gale", "Hart", "Ibarra", "Joyce", "Kemp", "Lund",
        "Marsh", "Nolan", "Ortega", "Pryce", "Quade", "Reyes", "Stone", "Tate", "Upton", "Vance", "Wolfe", "Yates",
        "Zamora", "Abbott", "Bishop", "Coley", "Drake", "Eaton", "Fisher", "Glover", "Hayes", "Irwin", "Jarvis",
        "Keller", "Lowe", "Mercer", "Nash", "Oakley", "Parks", "Quinn", "Rhodes", "Sutton", "Thorne", "Usher",
        "Vaughn", "Walsh", "Young", "Zeller"]


def make_file(rng):
    lines = ["Incident Number,Date Time,First Name,Last Name,DOB,Phone,Outcome,Address,ZIP"]
    seen = []
    for i in range(ROWS):
        if seen and i % 10 == 0:  # one row in ten: someone who overdosed before, in this file
            first, last, dob = rng.choice(seen)
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            dob = date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000))
            seen.append((first, last, dob))
        when = NOW - timedelta(minutes=rng.randint(60, 60 * 24 * 300))
        stamp = when.strftime("%Y-%m-%d %H:%M") if i % 2 else when.strftime("%m/%d/%Y %I:%M %p")
        phone = f"(202) 555-{rng.randint(0, 9999):04d}" if i % 3 else ""
        outcome = "fatal" if i % 50 == 0 else "survived"
        lines.append(f"LG-{i:06d},{stamp},{first},{last},{dob:%m/%d/%Y},{phone},{outcome},{i} Main St,45011")
    return ("\r\n".join(lines) + "\r\n").encode()


def test_ten_thousand_rows_import_in_bulk_within_a_minute(team, coordinator):
    rng = random.Random(7)
    names = [(rng.choice(FIRST), rng.choice(LAST)) for _ in range(2000)]
    Survivor.objects.bulk_create([
        Survivor(team=team, legal_first_name=first, legal_last_name=last,
                 date_of_birth=date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000)), **search_fields(first, last))
        for first, last in names
    ])
    data = make_file(rng)
    with time_machine.travel(NOW, tick=True):
        batch = importer.start_import(by=coordinator, team=team, source="ems",
                                      uploaded_file=SimpleUploadedFile("big.csv", data))
        importer.save_mapping(batch, batch.mapping, by=coordinator)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            importer.run_import(batch.pk)
        seconds = time.perf_counter() - started
    batch.refresh_from_db()
    print(f"\n10,000-row import: {seconds:.1f} s, {len(queries.captured_queries)} queries, "
          f"{batch.new_survivors} new people, {batch.matched_rows} matched, {batch.unmatched_rows} unmatched")
    assert batch.created_events == ROWS and batch.error_rows == 0
    assert OverdoseEvent.objects.count() == ROWS
    assert batch.new_survivors > 5000 and batch.unmatched_rows < ROWS // 5
    assert Survivor.objects.filter(high_risk=True).exists()  # the same person twice in the window
    assert FollowUp.objects.count() == OverdoseEvent.objects.filter(survivor__isnull=False).count() + \
        OverdoseEvent.objects.filter(survivor__isnull=True, outcome="fatal").count()
    assert len(queries.captured_queries) < 1000  # bulk: a few statements per chunk, not per row
    assert seconds < 60
