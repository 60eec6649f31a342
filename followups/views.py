"""The worklists (mine, the team's, the partner's visits), a follow-up's page, logging an attempt and the
clock actions that failed."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from port.accounts.scoping import get_visible_or_404
from port.audit.services import record_event

from . import clock_failures, selectors, services
from .access import clock_failures_required, coordinator_required, staff_required
from .forms import OUTCOME_METHODS, AssignForm, ContactAttemptForm, TeamWorklistFilter
from .models import ContactAttempt, FollowUp, ScheduledEffect

# Rows per page on every worklist: a page renders in tens of milliseconds whatever the caseload.
WORKLIST_PAGE_SIZE = 50


def _optional_url(name, *args):
    """A link to another app's page, or "" while that page does not exist yet."""

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _worklist_page(request, rows, counts):
    """The requested page of a worklist; `counts` (selectors.open_counts) already holds the total."""

    paginator = Paginator(rows, WORKLIST_PAGE_SIZE)
    paginator.count = counts["open"]  # a cached property: set here, it is not counted a second time
    return paginator.get_page(request.GET.get("page"))


@require_GET
def worklist(request):
    """The outreach worker's home: my open follow-ups, soonest deadline first (the overdue ones lead
    the first page), with how many there are in all and how many are overdue."""

    counts = selectors.open_counts(selectors.my_open_followups(request.user))
    page = _worklist_page(request, selectors.open_followups_for(request.user), counts)
    return render(
        request, "followups/worklist.html",
        {"page_title": "My worklist", "page": page, "overdue_count": counts["overdue"]},
    )


@require_GET
@coordinator_required
def team_worklist(request):
    form = TeamWorklistFilter(request.GET or None, user=request.user)
    page = Paginator(selectors.team_followups(request.user, **form.filters()), WORKLIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "followups/team_worklist.html",
        {
            "page_title": "Team worklist",
            "form": form,
            "page": page,
            "failed_clock_actions": clock_failures.failed_effect_count(request.user),
        },
    )


@require_GET
def visits(request):
    """The partner's page: who to visit and when, and how earlier visits went. Nothing clinical."""

    counts = selectors.open_counts(selectors.visible_open_followups(request.user))
    page = _worklist_page(request, selectors.partner_visits(request.user), counts)
    return render(
        request, "followups/visits.html", {"page_title": "Visits", "page": page, "overdue_count": counts["overdue"]}
    )


@require_GET
@staff_required
def detail(request, pk):
    followup = selectors.followup_detail(request.user, pk)
    record_event(request, "view", followup, survivor_id=followup.survivor_id)
    attempts = list(followup.attempts.all())
    unreached = sum(1 for a in attempts if not a.reached)
    return render(
        request,
        "followups/detail.html",
        {
            "page_title": f"{followup.get_kind_display()} #{followup.pk}",
            "followup": followup,
            "survivor": followup.survivor,
            "attempts": attempts,
            "unreached_count": unreached,
            "max_attempts": settings.FOLLOWUP_MAX_ATTEMPTS,
            "can_confirm_close": request.user.coordinates and followup.is_open
            and unreached >= settings.FOLLOWUP_MAX_ATTEMPTS,
            "assign_form": AssignForm(followup=followup) if request.user.coordinates else None,
            "fallback_url": _optional_url("messaging:send_fallback", followup.pk) if followup.is_open else "",
            "referral_url": _optional_url("referrals:create_for_survivor", followup.survivor_id)
            if followup.survivor_id else "",
            "survivor_url": _optional_url("survivors:detail", followup.survivor_id) if followup.survivor_id else "",
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def log_attempt(request, pk):
    """Log a visit, call or text in under a minute; bad input keeps what was typed."""

    followup = get_visible_or_404(FollowUp.objects.select_related("survivor", "event", "team"), request.user, pk=pk)
    form = ContactAttemptForm(request.POST or None, followup=followup, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attempt = services.log_contact_attempt(
            followup,
            by=request.user,
            request=request,
            team_members=data.pop("team_members"),
            family_members_met=data.pop("family_members_met"),
            send_fallback=data.pop("send_fallback"),
            **data,
        )
        _report_attempt(request, attempt, asked_fallback=form.cleaned_data["send_fallback"])
        return redirect(reverse("followups:detail", args=[followup.pk]) + f"#attempt-{attempt.pk}")
    if request.method == "GET":
        record_event(request, "view", followup, survivor_id=followup.survivor_id)
    return render(
        request,
        "followups/attempt_form.html",
        {
            "page_title": "Log a contact attempt",
            "followup": followup,
            "survivor": followup.survivor,
            "form": form,
            "visit_not_possible": [str(o) for o in ContactAttempt.VISIT_NOT_POSSIBLE],
            "outcome_methods": json.dumps({str(k): sorted(str(m) for m in v) for k, v in OUTCOME_METHODS.items()}),
        },
    )


def _report_attempt(request, attempt, *, asked_fallback):
    followup = attempt.followup
    text = f"{attempt.get_method_display()} logged: {attempt.get_outcome_display().lower()}."
    if attempt.reached and followup.status in (FollowUp.Status.REACHED, FollowUp.Status.DECLINED):
        text += " The follow-up is closed"
        text += " and check-ins are scheduled." if followup.kind != FollowUp.Kind.CHECKIN else "."
    messages.success(request, text)
    if asked_fallback and services.visit_was_not_possible(attempt):
        message = attempt.fallback_message
        if message is None:
            messages.warning(
                request,
                "No fallback contact went out: no phone that is safe to use, the person opted out, "
                "or one was already sent for this follow-up.",
            )
        elif getattr(message, "status", "") == "deferred":
            messages.info(request, "The fallback text waits for the end of quiet hours.")
        else:
            messages.info(request, "The fallback contact is on its way.")
    if followup.closing_proposed_at and followup.is_open:
        messages.warning(
            request,
            f"{settings.FOLLOWUP_MAX_ATTEMPTS} attempts without reaching anyone: the coordinator is asked "
            "to confirm closing it as unable to reach.",
        )


@require_POST
@coordinator_required
def assign(request, pk):
    followup = get_visible_or_404(FollowUp.objects.select_related("team", "assigned_to"), request.user, pk=pk)
    form = AssignForm(request.POST, followup=followup)
    if form.is_valid():
        try:
            services.assign_followup(followup, form.cleaned_data["worker"], by=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            who = followup.assigned_to or "nobody (no outreach worker in the team)"
            messages.success(request, f"Assigned to {who}.")
    else:
        messages.error(request, "Choose a worker from the list.")
    return redirect("followups:detail", pk=followup.pk)


@require_POST
@coordinator_required
def confirm_unreached(request, pk):
    followup = get_visible_or_404(FollowUp, request.user, pk=pk)
    try:
        services.confirm_unable_to_reach(followup, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Closed as unable to reach.")
    return redirect("followups:detail", pk=followup.pk)


@require_GET
@clock_failures_required
def clock_failures_list(request):
    """The clock actions the sweep gave up on, for the user's teams, each with a button to try it again."""

    page = Paginator(clock_failures.failed_effects(request.user), WORKLIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(effect, clock_failures.MISSED_ACTION[effect.stage]) for effect in page.object_list]
    return render(
        request,
        "followups/clock_failures.html",
        {"page_title": "Clock actions that failed", "page": page, "rows": rows, "max_tries": settings.SWEEP_MAX_TRIES},
    )


@require_POST
@clock_failures_required
def retry_clock_action(request, pk):
    """Try a failed clock action again (or clear it when its follow-up has closed); back to the list."""

    effect = get_visible_or_404(ScheduledEffect, request.user, pk=pk)
    outcome, followup = clock_failures.retry_failed_effect(effect, by=request.user, request=request)
    name = f"{followup.get_kind_display()} #{followup.pk}"
    if outcome is clock_failures.Retry.QUEUED:
        messages.success(request, f"{name}: queued again. The next sweep, within a minute, runs it if it applies.")
    elif outcome is clock_failures.Retry.CLOSED:
        messages.warning(
            request,
            f"{name} is closed ({followup.get_status_display().lower()}): nothing will be sent. "
            "The failed action is marked skipped.",
        )
    else:
        messages.info(request, f"{name}: this action was already tried again or cleared; nothing was queued twice.")
    url = reverse("followups:clock_failures")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)
