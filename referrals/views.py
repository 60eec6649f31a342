"""Referrals and the resource directory."""

from django.shortcuts import render

from .models import Organization, Referral


def referral_list(request):
    referrals = Referral.objects.visible_to(request.user).select_related("organization", "survivor")[:200]
    return render(request, "referrals/list.html", {"page_title": "Referrals", "referrals": referrals})


def resource_list(request):
    organizations = Organization.objects.filter(active=True).prefetch_related("services")[:200]
    return render(request, "referrals/resource_list.html", {"page_title": "Resources", "organizations": organizations})
