"""The dashboard, the rows behind its numbers, its exports and the printable quarterly report."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from followups.clock_failures import failed_effect_count
from port.audit.services import record_event

from . import drilldown, exports, kpis, periods, suppression, tables
from .forms import PeriodForm, QuarterForm
from .scope import may_see_dashboard, scope_for, teams_for

DRILL_PAGE_SIZE = 50


def _require_dashboard(user):
    if not may_see_dashboard(user):
        raise PermissionDenied("The dashboard is for team staff.")


def _sees_several_teams(user):
    return user.sees_all_teams or len(user.team_ids()) > 1


def _filters(request):
    """The form, the chosen period and the scope, from the GET parameters."""

    _require_dashboard(request.user)
    teams = teams_for(request.user)
    show_team = _sees_several_teams(request.user) and request.user.role != "outreach"
    form = PeriodForm(request.GET or None, teams=teams, show_team=show_team)
    period = form.chosen_period()
    scope = scope_for(request.user, form.chosen_team())
    return form, period, scope


def _bad_filters(form):
    """A 400 naming what to fix, for pages and files that must not fall back to another period."""

    if not form.errors:
        return None
    problems = " ".join(e for errs in form.errors.values() for e in errs)
    return HttpResponseBadRequest(f"Choose a valid period and team: {problems}", content_type="text/plain")


def _linker(scope):
    """drill URLs: `link(key, period, **params)`; the key of a figure maps to the rows that make it."""

    urls = {}  # a dashboard links ~250 numbers to ~30 lists: reverse each list once

    def link(key, period, **params):
        query = dict(scope.query())
        if period is not None:
            query.update(period.query())
        query.update(params)
        drill = drilldown.drill_key_for(key)
        if drill not in urls:
            urls[drill] = reverse("dashboards:rows", args=[drill])
        return f"{urls[drill]}?{urlencode(query)}"

    return link


def _week_period(period):
    def for_week(monday):
        return periods.Period(max(monday, period.first_day), min(monday + timedelta(days=6), period.last_day))

    return for_week


def _dashboard_tables(scope, period, link=None):
    current = kpis.snapshot(scope, period)
    previous = kpis.snapshot(scope, period.previous())
    weeks = kpis.weekly_series(scope, period)
    workload = kpis.workload_by_worker(scope)
    return {
        "figures": tables.key_figures(current, previous, link),
        "weekly_events": tables.weekly_events_table(weeks, link, _week_period(period)),
        "weekly_reached": tables.weekly_reached_table(weeks, link, _week_period(period)),
        "referrals": tables.referrals_table(current, previous, link),
        "workload": tables.workload_table(workload, link),
    }, {"current": current, "weeks": weeks, "workload": workload}


def _chart_data(raw):
    weeks = raw["weeks"]
    categories = tables.referral_category_counts(raw["current"])
    return {
        "weekly": {
            "labels": [w["week"].isoformat() for w in weeks],
            "nonfatal": [w["nonfatal"] for w in weeks],
            "fatal": [w["fatal"] for w in weeks],
            "counted": [w["counted"] for w in weeks],
            "reached": [w["reached_72h"] for w in weeks],
        },
        "referrals": {
            "labels": [name for name, _ in categories],
            "values": [count for _, count in categories],
        },
        "workload": {
            "labels": [r["worker"] for r in raw["workload"]],
            "open": [r["open"] for r in raw["workload"]],
            "overdue": [r["overdue"] for r in raw["workload"]],
        },
    }


def dashboard(request):
    form, period, scope = _filters(request)
    link = _linker(scope)
    dash_tables, raw = _dashboard_tables(scope, period, link)
    filters = urlencode({**scope.query(), **period.query()})
    return render(request, "dashboards/dashboard.html", {
        "page_title": "Dashboard",
        "form": form,
        "period": period,
        "previous": period.previous(),
        "scope": scope,
        "tables": dash_tables,
        "chart_data": _chart_data(raw),
        "filters": filters,
        "missed_url": link("missed_72h", period),
        "threshold": suppression.threshold(),
        # Supervisors and admins land here: a failed follow-up clock action must not wait for a visit to the worklist.
        "failed_clock_actions": failed_effect_count(request.user) if request.user.coordinates else 0,
    })


def _drill(request, key):
    """(drill, period, scope, rows) for a figure's rows, or a 400 response naming what to fix."""

    drill = drilldown.DRILLS.get(key)
    if drill is None:
        raise Http404("No such figure.")
    form, period, scope = _filters(request)
    if bad := _bad_filters(form):
        return bad
    try:
        return drill, period, scope, drill.rows(scope, period, request.GET)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages), content_type="text/plain")


def rows(request, key):
    """The rows behind one number, scoped like the number; viewing them is audited."""

    found = _drill(request, key)
    if isinstance(found, HttpResponseBadRequest):
        return found
    drill, period, scope, qs = found
    page = Paginator(drilldown.for_display(drill, qs), DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    where = period.label if drill.uses_period else "now"
    record_event(request, "view", None, detail=f"dashboard rows: {drill.key}, {where}, {scope.label}"[:300])
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "dashboards/rows.html", {
        "page_title": drill.title,
        "drill": drill,
        "period": period if drill.uses_period else None,
        "scope": scope,
        "page": page,
        "summary": drilldown.summary(drill, qs),
        "query": params.urlencode(),
        "back": f"{reverse('dashboards:dashboard')}?{urlencode({**scope.query(), **period.query()})}",
        "now": timezone.now(),
    })


def export_table(request, table):
    """CSV of one dashboard table; `suppressed=1` hides small cells for sharing outside the team."""

    form, period, scope = _filters(request)
    if bad := _bad_filters(form):
        return bad
    if table == "report_referrals":
        current, previous = kpis.snapshot(scope, period), kpis.snapshot(scope, period.previous())
        found = tables.report_referrals_table(current, previous)
    else:
        dash_tables, _ = _dashboard_tables(scope, period)
        found = dash_tables.get(table)
    if found is None:
        raise Http404("No such table.")
    suppressed = request.GET.get("suppressed") == "1"
    if suppressed:
        found = found.suppressed()
    record_event(
        request, "export", None,
        detail=f"dashboard table {table}{' (suppressed)' if suppressed else ''}, {period.label}, {scope.label}"[:300],
    )
    name = f"{table}-{period.first_day}-{period.last_day}{'-suppressed' if suppressed else ''}.csv"
    return exports.csv_response(name, found.csv_rows())


def export_deidentified(request):
    if not request.user.reads_reports:
        raise PermissionDenied("Only report roles may export event-level data.")
    form, period, scope = _filters(request)
    if bad := _bad_filters(form):
        return bad
    record_event(request, "export", None, detail=f"de-identified events, {period.label}, {scope.label}"[:300])
    return exports.csv_response(
        f"events-deidentified-{period.first_day}-{period.last_day}.csv", exports.deidentified_rows(scope, period)
    )


def export_identified(request):
    if not request.user.exports_identified:
        raise PermissionDenied("Your role may not export identified data.")
    form, period, scope = _filters(request)
    if bad := _bad_filters(form):
        return bad
    count = kpis.period_events(scope, period).count()
    record_event(
        request, "export", None, detail=f"identified events ({count} rows), {period.label}, {scope.label}"[:300]
    )
    return exports.csv_response(
        f"events-identified-{period.first_day}-{period.last_day}.csv", exports.identified_rows(scope, period)
    )


def rows_export(request, key):
    """The rows behind a number as CSV: identified data, so only for roles allowed it; audited."""

    if not request.user.exports_identified:
        raise PermissionDenied("Your role may not export identified data.")
    found = _drill(request, key)
    if isinstance(found, HttpResponseBadRequest):
        return found
    drill, period, scope, qs = found
    qs = drilldown.for_display(drill, qs)
    where = period.label if drill.uses_period else "now"
    record_event(request, "export", None, detail=f"dashboard rows {drill.key}, {where}, {scope.label}"[:300])
    return exports.csv_response(f"{drill.key}-rows.csv", exports.drill_rows(drill, qs))


def report(request):
    """The quarterly report: key figures beside the previous quarter, small cells suppressed, printable."""

    _require_dashboard(request.user)
    if not request.user.reads_reports:
        raise PermissionDenied("Reports are for coordinators and supervisors.")
    teams = teams_for(request.user)
    show_team = _sees_several_teams(request.user)
    form = QuarterForm(request.GET or None, teams=teams, show_team=show_team)
    quarter = form.chosen_quarter()
    scope = scope_for(request.user, form.chosen_team())
    previous = periods.previous_quarter(quarter)
    current_snap, previous_snap = kpis.snapshot(scope, quarter), kpis.snapshot(scope, previous)
    record_event(request, "view", None, detail=f"quarterly report, {quarter.name}, {scope.label}"[:300])
    figures = tables.key_figures(current_snap, previous_snap).suppressed()
    referrals = tables.report_referrals_table(current_snap, previous_snap).suppressed()
    csv_query = urlencode({**scope.query(), **quarter.query(), "suppressed": "1"})
    deidentified_query = urlencode({**scope.query(), **quarter.query()})
    return render(request, "dashboards/report.html", {
        "page_title": f"Quarterly report: {quarter.name}",
        "program_name": settings.PROGRAM_NAME,
        "form": form,
        "quarter": quarter,
        "previous": previous,
        "scope": scope,
        "figures": figures,
        "referrals": referrals,
        "csv_query": csv_query,
        "deidentified_query": deidentified_query,
        "threshold": suppression.threshold(),
        "generated_at": timezone.now(),
    })
