"""Small helpers for the dashboard templates."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.filter
def survivor_url(survivor_id):
    """The survivor's page, when the survivors app provides one (ids only in URLs)."""

    if not survivor_id:
        return ""
    try:
        return reverse("survivors:detail", args=[survivor_id])
    except NoReverseMatch:
        return ""


@register.simple_tag
def hours_between(start, end):
    if not start or not end:
        return "—"
    return f"{(end - start).total_seconds() / 3600:.1f} h"


@register.filter
def yes_no(value):
    if value is None:
        return "—"
    return "Yes" if value else "No"
