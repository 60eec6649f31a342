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


def median_between(queryset, start, end, unit="hours"):
    """The median of end - start over the queryset's rows, in hours (timestamps) or days (dates).

    `start` and `end` name fields or annotations. On PostgreSQL one aggregate query does it all;
    elsewhere (the SQLite demo) one pair of values per row comes back and Python takes the median.
    Rows with either end missing are left out. None when there are no rows.
    """

    queryset = queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
    if connection.vendor == "postgresql":
        between = HoursBetween if unit == "hours" else DaysBetween
        value = queryset.aggregate(median=PercentileCont(between(F(start), F(end))))["median"]
        return None if value is None else float(value)
    values = []
    for a, b in queryset.values_list(start, end).order_by():
        if unit == "days" and isinstance(a, datetime):
            a = a.date()
        span = _span(a, b, unit)
        if span is not None:
            values.append(span)
    return float(statistics.median(values)) if values else None
