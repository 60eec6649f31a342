"""The audit log, for supervisors and admins."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .models import AuditEvent


def audit_log(request):
    if not request.user.sees_all_teams:
        raise PermissionDenied
    page = Paginator(AuditEvent.objects.select_related("user"), 100).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page_title": "Audit log", "page": page})
