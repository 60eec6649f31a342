"""The supervisor dashboard."""

from django.shortcuts import render


def dashboard(request):
    return render(request, "dashboards/dashboard.html", {"page_title": "Dashboard"})
