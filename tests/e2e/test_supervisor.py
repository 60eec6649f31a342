"""Supervisor at a desk: the dashboard, another period, the charts, a figure down to its rows,
and the de-identified CSV."""

import csv
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.services import log_contact_attempt
from port.accounts.roles import Role
from survivors.services import create_survivor, record_overdose_event
from tests.factories import UserFactory

from .conftest import DESKTOP

# Days ago of each event, and whether the person was reached within 72 hours.
EVENTS = [(1, True), (3, True), (5, False), (40, True), (55, False), (70, True), (85, False)]
IDENTIFYING = {"name", "first_name", "last_name", "phone", "address", "date_of_birth", "dob", "email",
               "source_incident_number", "incident", "survivor_id", "occurred_at"}

CANVAS_PIXELS = """(key) => {
  const canvas = document.querySelector(`canvas[data-chart="${key}"]`);
  if (!canvas || !window.Chart || !window.Chart.getChart(canvas)) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]) drawn++;
  return drawn;
}"""


@pytest.fixture
def events(team):
    coordinator = UserFactory(role=Role.COORDINATOR, teams=[team])
    worker = UserFactory(role=Role.OUTREACH, teams=[team], first_name="Olivia", last_name="Ortiz")
    now = timezone.now()
    for i, (days_ago, reached) in enumerate(EVENTS):
        survivor = create_survivor(
            by=coordinator, team=team, legal_first_name=f"Person{i}", legal_last_name="Whitfield",
            date_of_birth=now.date().replace(year=now.year - 30 - i), phone=f"+120255501{40 + i}",
            address=f"{10 + i} Maple Ave", zip_code="45011",
        )
        event = record_overdose_event(
            by=coordinator, team=team, survivor=survivor, occurred_at=now - timedelta(days=days_ago, hours=1),
            source="ems", source_incident_number=f"EMS-SUP-{i}",
        )
        if reached:
            log_contact_attempt(event.followups.get(), by=worker, method="visit", outcome="reached_engaged",
                                at=event.occurred_at + timedelta(hours=20))


def kpi(page, title):
    return page.locator(".kpi-card").filter(has=page.get_by_role("heading", name=title, exact=True))


def wait_for_charts(page):
    for key in ("events", "reached", "workload"):
        page.wait_for_function(f"() => ({CANVAS_PIXELS})('{key}') > 500")


def test_supervisor_reads_the_dashboard_drills_down_and_downloads_the_deidentified_csv(
    open_journey, login, team, events
):
    supervisor = UserFactory(role=Role.SUPERVISOR, teams=[team], username="sam.supervisor")
    journey = open_journey("supervisor", DESKTOP)
    page = journey.page
    login(journey, supervisor)  # the first time: sets up the authenticator app, then the code
    assert journey.path() == reverse("dashboards:dashboard")

    # Last 30 days by default: three events, charts drawn.
    events_card = kpi(page, "Overdose events")
    assert events_card.locator(".kpi-value").inner_text() == "3"
    assert "(30 days)" in page.locator("#period-summary").inner_text()
    wait_for_charts(page)
    journey.check("dashboard, last 30 days")

    # Another period: the figures change, and the charts are drawn again.
    page.get_by_label("Period").select_option(label="Last 90 days")
    journey.submit(page.get_by_role("button", name="Show", exact=True))
    assert events_card.locator(".kpi-value").inner_text() == "7"
    assert "(90 days)" in page.locator("#period-summary").inner_text()
    wait_for_charts(page)
    journey.check("dashboard, last 90 days")

    # The number opens the rows behind it.
    journey.submit(events_card.locator(".kpi-value a"))
    assert journey.path().startswith("/dashboard/rows/")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 7
    assert "Whitfield" in rows.first.inner_text()  # a supervisor may see who they are
    journey.check("rows behind the events figure")

    # Back, and the de-identified export: nothing that says who anyone is.
    journey.submit(page.get_by_role("link", name="Back to the dashboard"))
    wait_for_charts(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="De-identified events (CSV)").click()
    download = download_info.value
    with open(download.path(), newline="", encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    assert not IDENTIFYING & {column.lower() for column in header}, header
    assert len(body) == 7
    text = open(download.path(), encoding="utf-8-sig").read()
    for identifying in ("Whitfield", "Person1", "Maple", "555", "EMS-SUP"):
        assert identifying not in text, f"the de-identified CSV contains {identifying!r}"
