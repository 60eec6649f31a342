"""The clock badge says the time left plainly: "31 h left", "overdue 5 h", "due in 6 d"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from followups.models import FollowUp
from followups.templatetags.followup_tags import clock

NOW = timezone.now()


def followup(kind="initial", status="open", target_in=None, deadline_in=timedelta(hours=31)):
    return FollowUp(kind=kind, status=status, target_at=NOW + (target_in or deadline_in - timedelta(hours=48)),
                    deadline_at=NOW + deadline_in)


@pytest.mark.parametrize("deadline_in,text,css", [
    (timedelta(hours=71, minutes=59), "71 h left", "clock-ok"),
    (timedelta(hours=31, minutes=30), "31 h left", "clock-soon"),
    (timedelta(minutes=45), "45 min left", "clock-soon"),
    (-timedelta(hours=5, minutes=10), "overdue 5 h", "clock-overdue"),
    (-timedelta(days=6), "overdue 6 d", "clock-overdue"),
])
def test_the_clock_counts_down_to_the_deadline(deadline_in, text, css):
    assert clock(followup(deadline_in=deadline_in), NOW) == (text, css)


def test_a_checkin_not_yet_due_says_when_it_is():
    checkin = followup(kind="checkin", target_in=timedelta(days=6, hours=2), deadline_in=timedelta(days=9))

    assert clock(checkin, NOW) == ("due in 6 d", "clock-ok")


def test_a_closed_followup_shows_its_status_instead():
    assert clock(followup(status="reached"), NOW)[0] == "Reached"
