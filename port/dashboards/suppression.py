"""Small-cell suppression for reports that leave the team: fewer than N people is shown as "<N"."""

from django.conf import settings


def threshold():
    return settings.REPORT_SUPPRESSION_THRESHOLD


def marker():
    return f"<{threshold()}"


def is_small(people):
    """1 to N-1 people. Zero is shown: it identifies no one (as CMS and CDC publish zeros)."""

    return people is not None and 0 < people < threshold()


def needs_suppression(people_counts):
    """A cell is hidden when any count of people behind it is small (its numerator, denominator
    or the complement, which could be worked out from the other two)."""

    return any(is_small(p) for p in people_counts)
