"""The clock badge ("31 h left", "overdue 5 h"), the person label and device links (maps, phone) for
follow-up pages.

The badge and the label are built in Python rather than by an included template: a worklist
prints them on every row, and an include or inclusion tag per row cost more than the rest of the row.
"""

from urllib.parse import quote

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from phonenumber_field.phonenumber import PhoneNumber

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


def _when(moment):
    """`moment|date:"D j M, H:i"` in local time: the template filter, called from Python."""

    return date_format(timezone.localtime(moment), "D j M, H:i")


@register.simple_tag
def clock_badge(followup, now=None):
    """The clock as a badge, its tooltip giving the target and the deadline."""

    text, css = clock(followup, now)
    return format_html(
        '<span class="clock {} fw-semibold text-nowrap" data-testid="clock" title="Target {} · deadline {}">{}</span>',
        css, _when(followup.target_at), _when(followup.deadline_at), text,
    )


@register.filter
def person_label(followup):
    """Who the follow-up is for: "Dana Whitfield", "Family of Dana Whitfield", or not matched yet."""

    if followup.survivor_id is None:
        return "(person not yet matched)"
    family = "Family of " if followup.kind == FollowUp.Kind.FAMILY_SUPPORT else ""
    return family + followup.survivor.display_name


@register.filter
def maps_link(survivor):
    """A geo: link that opens the device's maps app at the person's address ("" without one)."""

    if survivor is None or not survivor.address:
        return ""
    parts = [survivor.address, getattr(survivor, "city", ""), getattr(survivor, "zip_code", "")]
    return "geo:0,0?q=" + quote(", ".join(p for p in parts if p))


@register.filter
def phone_text(phone):
    """A phone number as people read it, "" without one. Printing a PhoneNumber (or testing it with
    `if`) checks its validity each time, which is slow: a row asks once and reuses the text."""

    if isinstance(phone, PhoneNumber):
        return str(phone)
    return phone or ""


@register.filter
def tel_link(phone):
    """A tel: link for a PhoneNumber ("" when empty)."""

    if isinstance(phone, PhoneNumber):
        return f"tel:{phone.as_e164}"
    return f"tel:{phone}" if phone else ""


@register.filter
def outcome_label(value):
    """The display label of a raw outcome value (from an annotation)."""

    try:
        return ContactAttempt.Outcome(value).label
    except ValueError:
        return value or ""
