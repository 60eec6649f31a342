"""The worklists: an outreach worker's own, the team's, and the partner's visit list."""

from django.shortcuts import render

from . import selectors


def worklist(request):
    followups = selectors.open_followups_for(request.user)[:200]
    return render(request, "followups/worklist.html", {"page_title": "My worklist", "followups": followups})


def team_worklist(request):
    followups = selectors.team_open_followups(request.user)[:200]
    return render(request, "followups/worklist.html", {"page_title": "Team worklist", "followups": followups})


def visits(request):
    followups = selectors.team_open_followups(request.user)[:200]
    return render(request, "followups/worklist.html", {"page_title": "Visits", "followups": followups})
