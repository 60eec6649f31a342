"""Rules for the values of a person and an event, shared by the forms and the CSV import.

Each check raises ValidationError with a message that says what to fix.
"""

import re
from datetime import date, datetime, time, timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

# A report may carry a clock a few minutes ahead of ours.
CLOCK_SKEW = timedelta(minutes=10)
EARLIEST_EVENT = date(2000, 1, 1)
EARLIEST_BIRTH = date(1900, 1, 1)
MAX_NALOXONE_DOSES = 20

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%Y/%m/%d", "%d-%b-%Y", "%b %d %Y", "%B %d %Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%H%M")


def parse_phone(value):
    """A PhoneNumber from any common format ('(202) 555-0142', '202.555.0142', '+1 202 ...')."""

    value = (value or "").strip()
    if not value:
        return None
    try:
        number = PhoneNumber.from_string(value, region=settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not number.is_valid():
        raise ValidationError(f"“{value}” is not a valid phone number: give all 10 digits with the area code.")
    return number


def check_occurred_at(value):
    if value > timezone.now() + CLOCK_SKEW:
        raise ValidationError("The date and time of the overdose is in the future.")
    if timezone.localdate(value) < EARLIEST_EVENT:
        raise ValidationError(f"The date of the overdose is before {EARLIEST_EVENT:%Y}: check the year.")
    return value


def check_date_of_birth(value):
    if value is None:
        return value
    today = timezone.localdate()
    if value > today:
        raise ValidationError("The date of birth is in the future.")
    if value < EARLIEST_BIRTH:
        raise ValidationError(f"The date of birth is before {EARLIEST_BIRTH:%Y}: check the year.")
    return value


def check_naloxone_doses(value):
    if value is not None and not 0 <= value <= MAX_NALOXONE_DOSES:
        raise ValidationError(f"Naloxone doses must be between 0 and {MAX_NALOXONE_DOSES}.")
    return value


# The two forms nearly every export uses, read without strptime (an import reads 10,000 rows).
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_US = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)


def _quick(value):
    """(date, time or None) for ISO or US text, None if it is neither (or not a real date)."""

    iso = _ISO.match(value)
    us = None if iso else _US.match(value)
    if not (iso or us):
        return None
    if iso:
        year, month, day, hour, minute, second = iso.groups()
        meridiem = None
    else:
        month, day, year, hour, minute, second, meridiem = us.groups()
        year = int(year) + (2000 if int(year) < 70 else 1900) if len(year) == 2 else int(year)
    try:
        day_value = date(int(year), int(month), int(day))
        if hour is None:
            return day_value, None
        hour = int(hour)
        if meridiem:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem.lower() == "pm" else 0)
        return day_value, time(hour, int(minute), int(second or 0))
    except ValueError:
        return None


def parse_date(value):
    """A date in ISO (2026-03-01) or US (3/1/2026, 03/01/26) form, with or without a time after it."""

    value = (value or "").strip()
    if not value:
        return None
    quick = _quick(value)
    if quick:
        return quick[0]
    head = value.replace("T", " ").split(" ")[0] if ("/" in value or "-" in value) else value
    for text in (head, value):
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise ValidationError(f"“{value}” is not a date we can read: use YYYY-MM-DD or MM/DD/YYYY.")


def parse_time(value):
    value = (value or "").strip().upper()
    if not value:
        return None
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt).time()
        except ValueError:
            continue
    raise ValidationError(f"“{value}” is not a time we can read: use HH:MM (24 h) or H:MM AM/PM.")


def parse_datetime(value, time_value=""):
    """An aware datetime (program time zone) from mixed formats: ISO or US, with or without a time.

    A separate time column may give the time; a date alone means midnight.
    """

    value = (value or "").strip()
    if not value:
        return None
    quick = _quick(value)
    if quick:
        parsed = datetime.combine(quick[0], quick[1] or time())
        if quick[1] is None and time_value:
            parsed = datetime.combine(quick[0], parse_time(time_value) or time())
        return timezone.make_aware(parsed, timezone.get_default_timezone())
    try:
        parsed = datetime.fromisoformat(value)  # offsets and fractions: 2026-03-01T14:05:00.5-05:00
    except ValueError:
        parsed = _date_then_time(value)
    if time_value and parsed.time() == time():
        parsed = datetime.combine(parsed.date(), parse_time(time_value) or time())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def _date_then_time(value):
    """'March 3 2026', '01-Mar-2026 2:05 PM': a date, then maybe a time, split where both read."""

    parts = value.replace("T", " ").split()
    for cut in range(len(parts), 0, -1):
        head, tail = " ".join(parts[:cut]), " ".join(parts[cut:])
        try:
            day = _strict_date(head)
            return datetime.combine(day, parse_time(tail) or time())
        except ValidationError:
            continue
    raise ValidationError(f"“{value}” is not a date we can read: use YYYY-MM-DD or MM/DD/YYYY.")


def _strict_date(text):
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"“{text}” is not a date.")
