"""Timing pages in-process: server-side time and queries per request, and the table we print."""

import os
import statistics
import time
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


def percentile(values, p):
    """Nearest-rank percentile (p in 0-100) of a non-empty list."""

    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Timing:
    """Milliseconds and query counts of the measured runs (the warm-up run is not among them)."""

    ms: list = field(default_factory=list)
    queries: list = field(default_factory=list)
    sql_ms: list = field(default_factory=list)  # time inside the database driver, per run

    @property
    def p50(self):
        return statistics.median(self.ms) if self.ms else None

    @property
    def p95(self):
        return percentile(self.ms, 95) if self.ms else None

    @property
    def sql_p50(self):
        return statistics.median(self.sql_ms) if self.sql_ms else None

    @property
    def queries_per_request(self):
        if not self.queries:
            return None
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


def measure(call, runs, *, warmup=1):
    """Call `call(i)` warmup + runs times; time each run and count its queries."""

    for i in range(warmup):
        call(-1 - i)
    timing = Timing()
    for i in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call(i)
            elapsed = time.perf_counter() - started
        timing.ms.append(elapsed * 1000)
        timing.queries.append(len(captured.captured_queries))
        timing.sql_ms.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    return timing


@dataclass
class Row:
    name: str
    page: Timing | None
    floor: Timing | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    unit: str = "ms"


def _fmt(value, unit="ms"):
    if value is None:
        return "-"
    if unit == "s":
        return f"{value / 1000:.1f} s"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def ratio(row):
    if row.page is None or row.floor is None or not row.floor.p50:
        return None
    return row.page.p50 / row.floor.p50


HEADER = ("what", "runs", "p50 ms", "p95 ms", "sql p50", "queries", "floor p50", "floor q", "page/floor", "sql/floor",
          "target", "met")


def render_table(rows):
    lines = []
    body = []
    for row in rows:
        if row.page is None:
            body.append((row.name, "-", "n/a (not built)", "", "", "", "", "", "", "", row.target, ""))
            continue
        r = ratio(row)
        body.append((
            row.name, str(len(row.page.ms)), _fmt(row.page.p50, row.unit), _fmt(row.page.p95, row.unit),
            _fmt(row.page.sql_p50, row.unit), row.page.queries_per_request or "-",
            _fmt(row.floor.p50) if row.floor else "-",
            row.floor.queries_per_request if row.floor else "-", f"{r:.1f}" if r is not None else "-",
            f"{row.page.sql_p50 / row.floor.p50:.1f}" if r is not None and row.page.sql_ms else "-",
            row.target, {True: "yes", False: "NO", None: ""}[row.met],
        ))
    widths = [max(len(HEADER[i]), *(len(b[i]) for b in body)) for i in range(len(HEADER))]
    fmt = " | ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines.append(fmt.format(*HEADER))
    lines.append("-+-".join("-" * w for w in widths))
    lines.extend(fmt.format(*b) for b in body)
    notes = [f"  {row.name}: {row.note}" for row in rows if row.note]
    if notes:
        lines.append("")
        lines.append("Notes:")
        lines.extend(notes)
    return "\n".join(lines)


def load_average():
    try:
        return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    except OSError:
        return "load average unknown"
