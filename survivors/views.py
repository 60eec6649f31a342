"""Survivor pages."""

from django.core.paginator import Paginator
from django.shortcuts import render

from .models import Survivor


def survivor_list(request):
    qs = Survivor.objects.visible_to(request.user).active().select_related("team")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "survivors/list.html", {"page_title": "Survivors", "page": page})


def event_create(request):
    return render(request, "survivors/event_form.html", {"page_title": "Record an overdose event"})


def import_upload(request):
    return render(request, "survivors/import_upload.html", {"page_title": "Import events"})
