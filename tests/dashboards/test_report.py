"""The printable quarterly report: figures beside the previous quarter, small cells suppressed."""

from datetime import timedelta

import pytest
from django.urls import reverse

from port.audit.models import AuditEvent
from port.dashboards.periods import Period, previous_quarter, quarter
from port.dashboards.tables import Cell
from tests.factories import ContactAttemptFactory, FollowUpFactory, OverdoseEventFactory

from .conftest import REACHED, local

pytestmark = pytest.mark.django_db


def _figures(response):
    return {row[0].text: (row[1].text, row[2].text) for row in response.context["figures"].rows}


def test_the_report_defaults_to_the_last_complete_quarter_and_is_printable(client, login, dataset):
    login(dataset.coordinator)
    response = client.get(reverse("dashboards:report"))
    assert response.status_code == 200
    assert response.context["quarter"] == quarter(2026, 1)  # today is May 1, 2026
    assert response.context["previous"] == quarter(2025, 4)
    content = response.content.decode()
    assert "css/dashboards.css" in content and "data-print" in content
    assert AuditEvent.objects.filter(user=dataset.coordinator, action="view",
                                     detail__startswith="quarterly report, Q1 2026").exists()


def test_small_numbers_are_shown_as_fewer_than_eleven(client, login, dataset):
    login(dataset.coordinator)
    response = client.get(reverse("dashboards:report"), {"quarter": "2026-Q1"})
    figures = _figures(response)
    assert figures["Overdose events"] == ("<11", "0")
    assert figures["Reached within 72 h"][0] == "<11"
    assert figures["Time to first contact (median)"][0] == "<11"
    # Every figure of this small team rests on fewer than 11 people, or on none.
    for row in response.context["figures"].rows:
        assert {row[1].text, row[2].text} <= {"<11", "0", "—"}, row[0].text
    for row in response.context["referrals"].rows:
        assert {cell.text for cell in row[1:]} <= {"<11", "0"}, row[0].text
        assert not any(cell.href for cell in row)  # a report leaving the team links to no rows
    assert "Quartermaine" not in response.content.decode()


def test_figures_resting_on_enough_people_are_shown(client, login, dataset):
    # 22 more people in the North team in March: 11 reached within 2 hours, 11 never tried.
    for i in range(22):
        event = OverdoseEventFactory(survivor__team=dataset.north, team=dataset.north, occurred_at=local(3, 20, 8))
        followup = FollowUpFactory(event=event, assigned_to=dataset.outreach)
        if i < 11:
            ContactAttemptFactory(followup=followup, at=event.occurred_at + timedelta(hours=2), outcome=REACHED)
    login(dataset.coordinator)
    figures = _figures(client.get(reverse("dashboards:report"), {"quarter": "2026-Q1"}))
    # North in Q1: E1-E6 and E9 (7 events, 6 people), E10, E11, and the 22.
    assert figures["Overdose events"] == ("31", "0")
    assert figures["People"] == ("30", "0")
    assert figures["Reached within 24 h"] == ("45% (14 of 31)", "—")  # E1, E6, E9 and 11: 13 people of 30
    # 11 + 5 = 16 people were reached at some point, 13 not; but only 2 of the reached were linked.
    assert figures["Linked to treatment"][0] == "<11"


def test_a_share_whose_complement_is_small_is_hidden_too():
    cell = Cell("93% (14 of 15)", 93.3, (14, 15, 1))
    assert cell.suppressed().text == "<11"
    assert Cell("0", 0, (0,)).suppressed().text == "0"
    assert Cell("11", 11, (11,)).suppressed().text == "11"
    assert Cell("10", 10, (10,)).suppressed().text == "<11"


def test_the_report_is_for_report_roles(client, login, dataset):
    login(dataset.outreach)
    assert client.get(reverse("dashboards:report")).status_code == 403


def test_the_report_csv_is_suppressed(client, login, dataset):
    import csv
    import io

    login(dataset.coordinator)
    response = client.get(reverse("dashboards:report"), {"quarter": "2026-Q1"})
    url = f"{reverse('dashboards:export_table', args=['report_referrals'])}?{response.context['csv_query']}"
    rows = list(csv.reader(io.StringIO(b"".join(client.get(url).streaming_content).decode())))
    assert rows[0] == ["Category", "People referred", "Referrals", "People referred, previous period"]
    moud = next(r for r in rows if r[0].startswith("MOUD"))
    assert moud[1:] == ["<11", "<11", "0"]


def test_quarters_and_their_previous_quarter():
    q1 = quarter(2026, 1)
    assert (q1.first_day.isoformat(), q1.last_day.isoformat()) == ("2026-01-01", "2026-03-31")
    assert previous_quarter(q1) == quarter(2025, 4)
    assert q1.previous() == quarter(2025, 4)  # a whole quarter compares with the quarter before
    assert Period(q1.first_day, q1.first_day).previous().last_day.isoformat() == "2025-12-31"


def test_one_hidden_cell_of_a_row_with_its_total_takes_a_second_with_it():
    from port.dashboards.tables import Table

    def n(value):
        return Cell(str(value), value, (value,))

    table = Table("t", "T", ["Category", "a", "b", "c", "All"], totals={4: [1, 2, 3]})
    table.rows = [[Cell("x"), n(3), n(40), n(25), n(68)], [Cell("y"), n(3), n(4), n(25), n(32)]]
    first, second = table.suppressed().rows
    # 3 alone hidden beside a total of 68 would be 68 - 40 - 25: the next smallest (25) goes too.
    assert [c.text for c in first] == ["x", "<11", "40", "<11", "68"]
    assert [c.text for c in second] == ["y", "<11", "<11", "25", "32"]  # two hidden already
