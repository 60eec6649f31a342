"""Medians in the database: PostgreSQL's percentile_cont, and a fallback for the SQLite demo."""

import statistics
from datetime import date, datetime

from django.db import connection
from django.db.models import Aggregate, F, FloatField, Func


class PercentileCont(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expr): an ordered-set aggregate (PostgreSQL)."""

    function = "percentile_cont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction=0.5, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class HoursBetween(Func):
    """Hours from one timestamp to another (PostgreSQL)."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)


class DaysBetween(Func):
    """Whole days from one date to another (PostgreSQL: date - date is an integer)."""

    template = "((%(expressions)s)::float)"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)


def _span(start, end, unit):
    if isinstance(start, datetime):
        return (end - start).total_seconds() / 3600.0 if unit == "hours" else (end - start).days
    if isinstance(start, date) and isinstance(end, date):
        return float((end - start).days)
    return None


def in_database():
    """Whether medians are computed by the database (PostgreSQL) rather than in Python."""

    return connection.vendor == "postgresql"


def median_aggregate(start, end, unit="hours"):
    """An aggregate giving the median of end - start (rows where either is NULL are ignored),
    for PostgreSQL; add it to the same `.aggregate()` as the counts and it costs no query."""

    between = HoursBetween if unit == "hours" else DaysBetween
    return PercentileCont(between(F(start), F(end)))


def median_in_python(queryset, start, end, unit="hours"):
    """The SQLite fallback: one pair of values per row, and Python takes the median."""

    values = []
    for a, b in queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}).values_list(start, end):
        if unit == "days" and isinstance(a, datetime):
            a = a.date()
        span = _span(a, b, unit)
        if span is not None:
            values.append(span)
    return float(statistics.median(values)) if values else None
