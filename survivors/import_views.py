"""The CSV import pages: upload, map the columns, preview with per-row problems, import, progress."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from port.accounts.scoping import get_visible_or_404
from port.audit.services import record_event

from . import importer, importing
from .access import coordinator_required, default_team
from .import_forms import MappingForm, UploadForm
from .models import ImportBatch

SHOWN_ERRORS = 200


def _batch(request, pk):
    return get_visible_or_404(ImportBatch.objects.select_related("team"), request.user, pk=pk)


@coordinator_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        team = form.cleaned_data.get("team") or default_team(request.user)
        if team is None:
            form.add_error(None, "You are not a member of a team: ask an admin to add you to one.")
        else:
            try:
                batch = importer.start_import(
                    by=request.user, team=team, source=form.cleaned_data["source"],
                    uploaded_file=form.cleaned_data["file"], request=request,
                )
            except importing.ImportRefused as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("survivors:import_mapping", batch.pk)
    recent = ImportBatch.objects.visible_to(request.user).select_related("team", "created_by")[:10]
    return render(request, "survivors/import_upload.html", {"page_title": "Import events", "form": form,
                                                            "recent": recent})


@coordinator_required
@require_http_methods(["GET", "POST"])
def import_mapping(request, pk):
    batch = _batch(request, pk)
    if batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWED):
        return redirect("survivors:import_status", batch.pk)
    form = MappingForm(request.POST or None, header=batch.headers, initial_mapping=batch.mapping)
    if request.method == "POST" and form.is_valid():
        importer.save_mapping(batch, form.cleaned_data, by=request.user)
        return redirect("survivors:import_preview", batch.pk)
    return render(request, "survivors/import_mapping.html",
                  {"page_title": "Import: which column is which?", "form": form, "batch": batch})


@coordinator_required
def import_preview(request, pk):
    batch = _batch(request, pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        return redirect("survivors:import_status" if batch.status != ImportBatch.Status.UPLOADED
                        else "survivors:import_mapping", batch.pk)
    try:
        validated = importer.read_batch(batch)
    except importing.ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("survivors:import_upload")
    known = importer.existing_incidents(batch.source, [r.incident_number for r in validated.rows])
    new_rows = [r for r in validated.rows if r.incident_number not in known]
    return render(request, "survivors/import_preview.html", {
        "page_title": "Import: check before importing", "batch": batch, "validated": validated,
        "errors": validated.errors[:SHOWN_ERRORS], "more_errors": max(0, len(validated.errors) - SHOWN_ERRORS),
        "already_imported": len(validated.rows) - len(new_rows), "to_import": len(new_rows),
        "sample": new_rows[:10], "background": len(new_rows) > settings.IMPORT_BACKGROUND_ROWS,
    })


@coordinator_required
@require_POST
def import_start(request, pk):
    batch = _batch(request, pk)
    if batch.status == ImportBatch.Status.PREVIEWED:
        if len(importer.read_batch(batch).rows) > settings.IMPORT_BACKGROUND_ROWS:
            importer.queue_import(batch, by=request.user, request=request)
        else:
            record_event(request, "import", batch, detail="started")
            importer.run_import(batch.pk)
    elif batch.status == ImportBatch.Status.FAILED:
        importer.queue_import(batch, by=request.user, request=request)
        messages.info(request, "Trying again: the import goes on from where it stopped.")
    return redirect("survivors:import_status", batch.pk)


@coordinator_required
def import_status(request, pk):
    batch = _batch(request, pk)
    template = "survivors/includes/import_progress.html" if request.htmx else "survivors/import_status.html"
    return render(request, template, {
        "page_title": "Import", "batch": batch, "errors": (batch.errors or [])[:SHOWN_ERRORS] if batch.is_finished
        else [],
    })


@coordinator_required
def import_bad_rows(request, pk):
    """The rows that could not be imported, with the reason in a last column, to fix and upload again."""

    batch = _batch(request, pk)
    bad_rows = batch.bad_rows
    if not batch.started_at and batch.content:  # not imported yet: the rows as the preview sees them
        bad_rows = importer.read_batch(batch).bad_rows
    record_event(request, "export", batch, detail=f"bad rows of import {batch.pk}: {len(bad_rows)} rows")
    response = HttpResponse(importing.bad_rows_csv(batch.headers, bad_rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rows-to-fix.csv"'
    return response
