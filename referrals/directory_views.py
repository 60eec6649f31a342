"""The resource directory: search and filters, editing (coordinators), CSV import and export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from port.audit.services import record_event

from . import directory, directory_csv, selectors
from .access import clinical_required, coordination_required
from .directory_forms import DirectoryFilterForm, DirectoryImportForm, OrganizationForm, ServiceFormSet
from .models import Organization


@clinical_required
def resource_list(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organizations = selectors.search_directory(
        q=filters.get("q", ""), category=filters.get("category", ""), language=filters.get("language", ""),
        insurance=filters.get("insurance", ""), walk_in=filters.get("walk_in", False),
    )
    page = Paginator(organizations, 25).get_page(request.GET.get("page"))
    return render(request, "referrals/resource_list.html", {
        "page_title": "Resource directory", "form": form, "page": page, "filtered": bool(request.GET),
    })


@clinical_required
@coordination_required
@require_http_methods(["GET", "POST"])
def organization_create(request):
    return _edit(request, Organization())


@clinical_required
@coordination_required
@require_http_methods(["GET", "POST"])
def organization_edit(request, pk):
    return _edit(request, get_object_or_404(Organization, pk=pk))


def _edit(request, organization):
    creating = organization.pk is None
    form = OrganizationForm(request.POST or None, instance=organization)
    formset = ServiceFormSet(request.POST or None, instance=organization, prefix="services")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                org = form.save(commit=False)
                services = formset.save(commit=False)
                directory.save_organization(
                    org, by=request.user, services=services, removed_services=formset.deleted_objects,
                    request=request,
                )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"{org.name} was {'added to' if creating else 'updated in'} the directory.")
            return redirect(f"{reverse('referrals:resource_list')}#org-{org.pk}")
    title = "Add an organisation" if creating else f"Edit {organization.name}"
    return render(request, "referrals/organization_form.html", {
        "page_title": title, "form": form, "formset": formset, "organization": organization,
    })


@clinical_required
@coordination_required
@require_http_methods(["GET", "POST"])
def directory_import(request):
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = directory_csv.import_directory(form.cleaned_data["file"].read(), by=request.user, request=request)
        if report.imported:
            messages.success(request, f"Imported {report.imported} of {report.rows} rows.")
        if report.errors:
            messages.error(request, "Some rows were not imported: fix them (see below) and import those rows again.")
    return render(request, "referrals/directory_import.html", {
        "page_title": "Import the resource directory", "form": form, "report": report,
        "columns": directory_csv.COLUMNS,
    })


@clinical_required
def directory_export(request):
    organizations = selectors.search_directory(include_inactive=True)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="resource-directory-{timezone.localdate():%Y%m%d}.csv"'
    directory_csv.write_csv(organizations, response)
    record_event(request, "export", None, detail="resource directory (HSDS CSV)")
    return response

