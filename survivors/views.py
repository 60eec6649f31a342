"""Survivor pages: search (the list), the survivor page, editing, merging duplicates, soft delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from port.accounts.scoping import get_visible_or_404
from port.audit.services import record_event

from . import selectors, services
from .access import admin_required, clinical_required, coordinator_required
from .forms import DeleteForm, SearchForm, SurvivorForm
from .matching import Identity, find_matches
from .models import Survivor

SEARCH_SESSION_KEY = "survivors:search"
PAGE_SIZE = 25


def _live_survivor(user, pk):
    """A survivor the user may see and that is not deleted (404 otherwise)."""

    return get_visible_or_404(Survivor.objects.filter(deleted_at__isnull=True).select_related("team"), user, pk=pk)


def _to_merged(request, survivor, url_name):
    """A merged record's pages are those of the record it was merged into."""

    messages.info(request, "That record was merged into this one.")
    return redirect(url_name, survivor.merged_into_id)


@require_http_methods(["GET", "POST"])
def survivor_list(request):
    """Search by POST, then redirect: the query lives in the session, never in the URL."""

    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(SEARCH_SESSION_KEY, None)
            return redirect("survivors:list")
        form = SearchForm(request.POST)
        if form.is_valid():
            request.session[SEARCH_SESSION_KEY] = form.as_session()
            return redirect("survivors:list")
    else:
        form = SearchForm(initial=request.session.get(SEARCH_SESSION_KEY))
    query = request.session.get(SEARCH_SESSION_KEY) if request.method == "GET" else None
    if query:
        qs = selectors.search_survivors(request.user, **query)
    else:
        qs = selectors.with_list_columns(Survivor.objects.visible_to(request.user).active())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    unmatched = None
    if query and query.get("incident_number") and request.user.coordinates:
        unmatched = selectors.unmatched_events(request.user).filter(
            source_incident_number__iexact=query["incident_number"].strip()
        )[:20]
    return render(
        request, "survivors/list.html",
        {"page_title": "Survivors", "page": page, "form": form, "searching": bool(query), "unmatched": unmatched},
    )


def survivor_detail(request, pk):
    survivor = _live_survivor(request.user, pk)
    if survivor.merged_into_id:
        return _to_merged(request, survivor, "survivors:detail")
    record_event(request, "view", survivor)
    context = selectors.survivor_page(survivor, request.user)
    context["page_title"] = survivor.display_name
    return render(request, "survivors/detail.html", context)


@require_GET
def survivor_history(request, pk):
    """Every event of a long history with its follow-ups and attempts, a page at a time; the same
    people may see it as the survivor page, and a partner sees it without clinical detail."""

    survivor = _live_survivor(request.user, pk)
    if survivor.merged_into_id:
        return _to_merged(request, survivor, "survivors:history")
    record_event(request, "view", survivor, detail="full history")
    context = selectors.survivor_history(survivor, request.user, request.GET.get("page"))
    context["page_title"] = f"History of {survivor.display_name}"
    return render(request, "survivors/history.html", context)


@clinical_required
@require_http_methods(["GET", "POST"])
def survivor_edit(request, pk):
    survivor = _live_survivor(request.user, pk)
    form = SurvivorForm(request.POST or None, instance=Survivor.objects.get(pk=survivor.pk))
    if request.method == "POST" and form.is_valid():
        services.update_survivor(survivor, by=request.user, request=request, **form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("survivors:detail", survivor.pk)
    return render(
        request, "survivors/record_form.html",
        {"page_title": f"Edit {survivor.display_name}", "form": form, "survivor": survivor},
    )


@admin_required
@require_http_methods(["GET", "POST"])
def survivor_delete(request, pk):
    survivor = _live_survivor(request.user, pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.soft_delete_survivor(survivor, by=request.user, request=request, reason=form.cleaned_data["reason"])
        messages.success(request, f"The record of {survivor.display_name} was deleted (it stays in the audit log).")
        return redirect("survivors:list")
    return render(
        request, "survivors/delete.html",
        {"page_title": f"Delete {survivor.display_name}", "form": form, "survivor": survivor},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def survivor_merge(request, pk):
    """Pick the duplicate: the matcher's proposals for this person, or a search by name."""

    survivor = _live_survivor(request.user, pk)
    if survivor.merged_into_id:
        raise Http404("Already merged")
    candidates = find_matches(
        Identity.of_survivor(survivor), Survivor.objects.visible_to(request.user).active(), exclude_ids=[survivor.pk]
    )
    results = None
    form = SearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        results = selectors.search_survivors(request.user, **form.cleaned_data).exclude(pk=survivor.pk)[:25]
    return render(
        request, "survivors/merge.html",
        {"page_title": f"Merge a duplicate of {survivor.display_name}", "survivor": survivor,
         "candidates": candidates, "form": form, "results": results},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def survivor_merge_confirm(request, pk, other_pk):
    """Both records side by side; the coordinator says which one to keep."""

    first, second = _live_survivor(request.user, pk), _live_survivor(request.user, other_pk)
    if first.pk == second.pk or first.merged_into_id or second.merged_into_id:
        raise Http404("Nothing to merge")
    if request.method == "POST":
        keep, merge = (second, first) if request.POST.get("keep") == str(second.pk) else (first, second)
        try:
            kept = services.merge_survivors(keep, merge, by=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Merged: every event, family member, consent and follow-up is on this record.")
            return redirect("survivors:detail", kept.pk)
    people = [selectors.with_list_columns(Survivor.objects.filter(pk=s.pk)).get() for s in (first, second)]
    return render(
        request, "survivors/merge_confirm.html",
        {"page_title": "Merge two records", "people": people, "first": first, "second": second},
    )


@require_POST
@clinical_required
def survivor_lookup(request):
    """A small search (htmx) for attaching an unmatched event to someone the matcher did not propose."""

    form = SearchForm(request.POST)
    results = selectors.search_survivors(request.user, **form.cleaned_data)[:15] if form.is_valid() else []
    return render(request, "survivors/includes/lookup_results.html", {"results": results, "form": form})
