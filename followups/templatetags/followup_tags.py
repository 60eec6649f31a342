"""The clock badge ("31 h left", "overdue 5 h") and device links (maps, phone) for follow-up pages."""

from urllib.parse import quote

from django import template
from django.utils import timezone

from followups.models import ContactAttempt, FollowUp

register = template.Library()

# Up to this many hours the clock counts in hours; beyond, in days.
HOURS_UP_TO = 96


def _span(delta):
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < HOURS_UP_TO:
        return f"{hours} h"
    return f"{hours // 24} d"


def clock(followup, now=None):
    """(text, css class) for a follow-up's clock, in plain words."""

    now = now or timezone.now()
    if not followup.is_open:
        return followup.get_status_display(), "text-body-secondary"
    if followup.kind == FollowUp.Kind.CHECKIN and now < followup.target_at:
        return f"due in {_span(followup.target_at - now)}", "clock-ok"
    left = followup.deadline_at - now
    if left.total_seconds() < 0:
        return f"overdue {_span(-left)}", "clock-overdue"
    soon = now >= followup.target_at or left.total_seconds() < 24 * 3600
    return f"{_span(left)} left", "clock-soon" if soon else "clock-ok"


@register.inclusion_tag("followups/includes/clock_badge.html")
def clock_badge(followup):
    text, css = clock(followup)
    return {"text": text, "css": css, "followup": followup}


@register.filter
def maps_link(survivor):
    """A geo: link that opens the device's maps app at the person's address ("" without one)."""

    if survivor is None or not survivor.address:
        return ""
    parts = [survivor.address, getattr(survivor, "city", ""), getattr(survivor, "zip_code", "")]
    return "geo:0,0?q=" + quote(", ".join(p for p in parts if p))


@register.filter
def tel_link(phone):
    """A tel: link for a PhoneNumber ("" when empty or invalid)."""

    if not phone:
        return ""
    try:
        return f"tel:{phone.as_e164}"
    except AttributeError:
        return f"tel:{phone}"


@register.filter
def outcome_label(value):
    """The display label of a raw outcome value (from an annotation)."""

    try:
        return ContactAttempt.Outcome(value).label
    except ValueError:
        return value or ""
