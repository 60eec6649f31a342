"""The audit log, for supervisors and admins: who saw and changed what, searchable."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .forms import AuditSearchForm
from .selectors import search_audit_events, search_break_glass_grants

PAGE_SIZE = 50
GRANTS_SHOWN = 20


def audit_log(request):
    if not request.user.reads_audit_log:
        raise PermissionDenied("The audit log is for supervisors and admins.")
    # GET keeps pages linkable; the filters are ids and dates, never names or phones.
    form = AuditSearchForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    filters = form.cleaned_data if form.is_bound and valid else {}
    rows = search_audit_events(**filters) if valid else search_audit_events().none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # Emergency accesses with the reason given, for the supervisor's review (not on later pages).
    grants = list(search_break_glass_grants(**filters)[:GRANTS_SHOWN]) if valid and page.number == 1 else []
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page_title": "Audit log", "form": form, "page": page, "query": query.urlencode(), "grants": grants}
    return render(request, "audit/log.html", context)
