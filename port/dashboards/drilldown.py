"""The rows behind each number: the same querysets the figures count, ready to list."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from referrals.models import Category, Referral

from . import kpis, referral_kpis


@dataclass(frozen=True)
class Drill:
    key: str
    title: str
    kind: str  # which list template: events, people, attempts, naloxone, referrals, followups
    rows: Callable
    uses_period: bool = True


def _events(condition=None):
    def rows(scope, period, params):
        qs = kpis.contact_events(scope, period)
        if condition is not None:
            qs = qs.filter(condition())
        return qs

    return rows


def _not(condition):
    return lambda: ~condition()


def _people(events_of):
    """Survivors behind a set of events, with how many counted events each had in the period."""

    def rows(scope, period, params):
        ids = events_of(scope, period, params)
        per_person = (
            kpis.contact_events(scope, period)
            .filter(survivor=OuterRef("pk"))
            .order_by()
            .values("survivor")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        return (
            scope.survivors()
            .filter(pk__in=ids)
            .annotate(events_in_period=Coalesce(Subquery(per_person), 0))
        )

    return rows


def _survivors_where(*conditions):
    def ids(scope, period, params):
        qs = kpis.contact_events(scope, period)
        for condition in conditions:
            qs = qs.filter(condition())
        return qs.values("survivor")

    return ids


def _not_locatable(scope, period, params):
    events = kpis.contact_events(scope, period)
    reached = events.filter(kpis.reached_ever()).values("survivor")
    return events.filter(kpis.attempted_ever()).exclude(survivor__in=reached).values("survivor")


def _linked(scope, period, params):
    return _survivors_where(kpis.reached_ever, kpis.linked_to_treatment)(scope, period, params)


def _repeat(scope, period, params):
    return kpis.repeat_survivor_ids(scope, period)


def _attempts(scope, period, params):
    return kpis.event_attempts(scope, period)


def _naloxone(condition):
    return lambda scope, period, params: kpis.period_naloxone(scope, period).filter(condition)


def _referrals(scope, period, params):
    qs = referral_kpis.period_referrals(scope, period)
    category, status = params.get("category"), params.get("status")
    if category:
        if category not in Category.values:
            raise ValidationError("Unknown referral category.")
        qs = qs.filter(category=category)
    if status:
        if status not in Referral.Status.values:
            raise ValidationError("Unknown referral status.")
        qs = qs.filter(status=status)
    return qs


def _treatment(**filters):
    return lambda scope, period, params: referral_kpis.treatment_referrals(scope, period).filter(**filters)


def _followups(overdue):
    def rows(scope, period, params):
        qs = kpis.open_followups(scope)
        worker = params.get("worker")
        if worker == "none":
            qs = qs.filter(assigned_to__isnull=True)
        elif worker:
            if not str(worker).isdigit():
                raise ValidationError("Unknown worker.")
            qs = qs.filter(assigned_to_id=int(worker))
        if overdue:
            qs = qs.filter(deadline_at__lt=timezone.now())
        return qs

    return rows


def _deadline():
    return settings.FOLLOWUP_DEADLINE_HOURS


def _target():
    return settings.FOLLOWUP_TARGET_HOURS


DRILLS = {
    d.key: d
    for d in [
        Drill("events", "Overdose events counted", "events", _events()),
        Drill("attempted_72h", "Events attempted within 72 h", "events",
              _events(lambda: kpis.attempted_within(_deadline()))),
        Drill("reached_72h", "Events reached within 72 h", "events",
              _events(lambda: kpis.reached_within(_deadline()))),
        Drill("missed_72h", "Events not reached within 72 h", "events",
              _events(_not(lambda: kpis.reached_within(_deadline())))),
        Drill("reached_24h", "Events reached within 24 h", "events",
              _events(lambda: kpis.reached_within(_target()))),
        Drill("reached", "Events reached (time to first contact)", "events", _events(kpis.reached_ever)),
        Drill("attempts", "Contact attempts on these events", "attempts", _attempts),
        Drill("people", "People", "people", _people(_survivors_where())),
        Drill("declined", "People who declined", "people", _people(_survivors_where(kpis.declined_ever))),
        Drill("not_locatable", "People not located", "people", _people(_not_locatable)),
        Drill("linked", "People linked to treatment within 30 days", "people", _people(_linked)),
        Drill("repeat", "People with repeat overdoses", "people", _people(_repeat)),
        Drill("kits_survivors", "Naloxone kits to survivors", "naloxone", _naloxone(kpis.TO_SURVIVORS)),
        Drill("kits_family", "Naloxone kits to family members", "naloxone", _naloxone(kpis.TO_FAMILY)),
        Drill("referrals", "Referrals", "referrals", _referrals),
        Drill("treatment", "Treatment referrals", "referrals", _treatment()),
        Drill("admitted", "Treatment referrals admitted", "referrals", _treatment(admitted_on__isnull=False)),
        Drill("retained_30", "Treatment referrals engaged at 30 days", "referrals", _treatment(engaged_30d=True)),
        Drill("retained_90", "Treatment referrals engaged at 90 days", "referrals", _treatment(engaged_90d=True)),
        Drill("open", "Open follow-ups", "followups", _followups(overdue=False), uses_period=False),
        Drill("overdue", "Overdue follow-ups", "followups", _followups(overdue=True), uses_period=False),
    ]
}

# Key figures whose rows are listed under another name.
DRILL_FOR_KPI = {"median_hours": "reached", "attempts_per_person": "attempts", "days_to_admission": "admitted"}


def drill_key_for(kpi_key):
    return DRILL_FOR_KPI.get(kpi_key, kpi_key)


def for_display(drill, qs):
    """The listed rows with what each template shows, joined up front (no query per row)."""

    if drill.kind == "events":
        return qs.select_related("survivor", "team").annotate(**kpis.contact_flags()).order_by("-occurred_at", "-pk")
    if drill.kind == "people":
        return qs.select_related("team").order_by("legal_last_name", "legal_first_name", "pk")
    if drill.kind == "attempts":
        return qs.select_related("followup__event", "followup__survivor", "performed_by").order_by("-at", "-pk")
    if drill.kind == "naloxone":
        return qs.select_related("survivor", "family_member", "given_by").order_by("-given_at", "-pk")
    if drill.kind == "referrals":
        return qs.select_related("survivor", "family_member", "organization", "made_by").order_by("-made_at", "-pk")
    return qs.select_related("survivor", "event", "assigned_to", "team").order_by("deadline_at", "pk")


def summary(drill, qs):
    """The figure the rows add up to, for the page header."""

    if drill.kind == "naloxone":
        totals = qs.aggregate(rows=Count("pk"), kits=Coalesce(Sum("kits"), 0))
        return f"{totals['rows']:,} hand-outs, {totals['kits']:,} kits"
    if drill.kind == "referrals":
        totals = qs.aggregate(
            rows=Count("pk"),
            survivors=Count("survivor", distinct=True, filter=Q(family_member__isnull=True)),
            family=Count("family_member", distinct=True),
        )
        return f"{totals['rows']:,} referrals for {totals['survivors'] + totals['family']:,} people"
    n = qs.count()
    noun = {"events": "events", "people": "people", "attempts": "attempts", "followups": "follow-ups"}[drill.kind]
    return f"{n:,} {noun}"
