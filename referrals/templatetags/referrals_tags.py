"""Small template helpers for the referral pages."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

STATUS_BADGES = {
    "made": "text-bg-primary",
    "accepted": "text-bg-info",
    "connected": "text-bg-success",
    "declined": "text-bg-secondary",
    "no_show": "text-bg-warning",
    "closed": "text-bg-light border",
}


@register.simple_tag
def survivor_url(survivor_id):
    """The survivor page, if the intake app provides one (empty otherwise)."""

    try:
        return reverse("survivors:detail", args=[survivor_id])
    except NoReverseMatch:
        return ""


@register.filter
def status_badge(status):
    return STATUS_BADGES.get(status, "text-bg-secondary")
