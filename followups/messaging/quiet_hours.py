"""Quiet hours (settings.QUIET_HOURS_START/END, in the program's time zone): messages wait, never drop."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def _parse(value):
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def quiet_until(now=None):
    """When quiet hours end, if `now` falls inside them; None when a message may go out now."""

    now = timezone.localtime(now or timezone.now())
    start, end = _parse(settings.QUIET_HOURS_START), _parse(settings.QUIET_HOURS_END)
    if start == end:
        return None
    clock = now.time()
    if start < end:  # e.g. 13:00-14:00 on the same day
        inside = start <= clock < end
    else:  # across midnight, e.g. 21:00-08:00
        inside = clock >= start or clock < end
    if not inside:
        return None
    day = now.date() if clock < end else now.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), now.tzinfo)
