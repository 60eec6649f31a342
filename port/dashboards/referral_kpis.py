"""Referral figures: referrals by category and status, and the treatment outcomes
(days to admission, retained at 30 and 90 days) of treatment referrals made in a period."""

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from referrals.models import TREATMENT_CATEGORIES

from . import stats


def period_referrals(scope, period):
    return scope.referrals().filter(made_at__gte=period.start, made_at__lt=period.end)


def _referral_people():
    # A referral is for a family member when one is named, otherwise for the survivor.
    return {
        "survivors": Count("survivor", distinct=True, filter=Q(family_member__isnull=True)),
        "family": Count("family_member", distinct=True),
    }


def referrals_by_category_and_status(scope, period):
    """{(category, status): {"referrals", "people"}} and per-category totals, in two queries."""

    qs = period_referrals(scope, period).order_by()
    cells = {}
    for row in qs.values("category", "status").annotate(referrals=Count("pk"), **_referral_people()):
        cells[(row["category"], row["status"])] = {
            "referrals": row["referrals"],
            "people": row["survivors"] + row["family"],
        }
    totals = {}
    for row in qs.values("category").annotate(referrals=Count("pk"), **_referral_people()):
        totals[row["category"]] = {"referrals": row["referrals"], "people": row["survivors"] + row["family"]}
    return {"cells": cells, "totals": totals}


def treatment_referrals(scope, period):
    return period_referrals(scope, period).filter(category__in=TREATMENT_CATEGORIES)


def treatment_figures(scope, period):
    """Days to admission and retention at 30/90 days, for treatment referrals made in the period."""

    qs = treatment_referrals(scope, period)
    people = _referral_people()

    def people_where(condition):
        return {
            "survivors": Count("survivor", distinct=True, filter=Q(family_member__isnull=True) & condition),
            "family": Count("family_member", distinct=True, filter=condition),
        }

    aggregates = {"referrals": Count("pk"), "admitted": Count("pk", filter=Q(admitted_on__isnull=False))}
    groups = {
        "people": None,
        "admitted_people": Q(admitted_on__isnull=False),
        "retained_30_people": Q(engaged_30d=True),
        "checked_30_people": Q(engaged_30d__isnull=False),
        "retained_90_people": Q(engaged_90d=True),
        "checked_90_people": Q(engaged_90d__isnull=False),
    }
    for name, condition in groups.items():
        parts = people if condition is None else people_where(condition)
        aggregates[f"{name}__s"] = parts["survivors"]
        aggregates[f"{name}__f"] = parts["family"]
    qs = qs.annotate(made_day=_made_day())
    if stats.in_database():
        aggregates["median_days_to_admission"] = stats.median_aggregate("made_day", "admitted_on", unit="days")
    raw = qs.aggregate(**aggregates)
    figures = {"referrals": raw["referrals"], "admitted": raw["admitted"]}
    for name in groups:
        figures[name] = raw[f"{name}__s"] + raw[f"{name}__f"]
    figures["median_days_to_admission"] = (
        raw["median_days_to_admission"] if stats.in_database()
        else stats.median_in_python(admitted_referrals(scope, period), "made_day", "admitted_on", unit="days")
    )
    return figures


def _made_day():
    return TruncDate("made_at", tzinfo=timezone.get_current_timezone())


def admitted_referrals(scope, period):
    return (
        treatment_referrals(scope, period)
        .filter(admitted_on__isnull=False)
        .annotate(made_day=_made_day())
    )
