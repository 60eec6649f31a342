"""Reporting periods: whole local days, the previous period of equal length, quarters."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone


def _day(d):
    return f"{d:%b} {d.day}, {d.year}"


def local_midnight(day):
    """The aware start of a day on the program's clock (settings.TIME_ZONE)."""

    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def today():
    return timezone.localdate()


@dataclass(frozen=True)
class Period:
    """From `first_day` to `last_day`, both included, in the program's time zone."""

    first_day: date
    last_day: date
    name: str = field(default="", compare=False)

    @property
    def start(self):
        return local_midnight(self.first_day)

    @property
    def end(self):
        """Exclusive: midnight after the last day."""

        return local_midnight(self.last_day + timedelta(days=1))

    @property
    def days(self):
        return (self.last_day - self.first_day).days + 1

    def previous(self):
        """The period of equal length just before this one; for a whole quarter, the quarter before."""

        whole = quarter(self.first_day.year, quarter_of(self.first_day))
        if (self.first_day, self.last_day) == (whole.first_day, whole.last_day):
            return previous_quarter(self)
        last = self.first_day - timedelta(days=1)
        return Period(last - timedelta(days=self.days - 1), last, "previous period")

    def contains(self, moment):
        return self.start <= moment < self.end

    @property
    def label(self):
        if self.first_day == self.last_day:
            return _day(self.first_day)
        return f"{_day(self.first_day)} to {_day(self.last_day)}"

    def query(self):
        """GET parameters that select exactly this period (dates only: no personal data)."""

        return {"period": "custom", "date_from": self.first_day.isoformat(), "date_to": self.last_day.isoformat()}


def last_days(n, *, until=None):
    until = until or today()
    return Period(until - timedelta(days=n - 1), until, f"last {n} days")


def quarter_of(day):
    return (day.month - 1) // 3 + 1


def quarter(year, q):
    """Calendar quarter `q` (1-4) of `year`."""

    first = date(year, 3 * (q - 1) + 1, 1)
    next_first = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return Period(first, next_first - timedelta(days=1), f"Q{q} {year}")


def this_quarter(*, until=None):
    """From the first day of the current quarter to today."""

    until = until or today()
    whole = quarter(until.year, quarter_of(until))
    return Period(whole.first_day, until, "this quarter")


def previous_quarter(period):
    first = period.first_day
    q = quarter_of(first)
    return quarter(first.year - (q == 1), 4 if q == 1 else q - 1)


def recent_quarters(n=8, *, until=None):
    """The last `n` quarters, newest first, the current (partial) one included."""

    until = until or today()
    year, q = until.year, quarter_of(until)
    out = []
    for _ in range(n):
        out.append(quarter(year, q))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out
