"""A coordinator on a tablet, by touch: record an event (the matcher proposes the known person),
search, import a file and resolve its unmatched row. Every screen: axe, no CSP errors, no
sideways scrolling at tablet width, and touch-sized controls."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from port.accounts.roles import Role
from survivors.models import OverdoseEvent
from tests.e2e.conftest import TABLET, browser, open_journey  # noqa: F401  (fixtures)
from tests.e2e.login import log_in
from tests.factories import SurvivorFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WIDTH = TABLET["viewport"]["width"]

# Controls smaller than this (px) are hard to hit with a finger.
SMALL_CONTROLS = """() => {
  const controls = "main button, main .btn, main input:not([type=hidden]), main select";
  const tapArea = el => {
    const choice = el.matches("input[type=radio], input[type=checkbox]") && el.closest(".form-check");
    return (choice || el).getBoundingClientRect();
  };
  return [...document.querySelectorAll(controls)]
    .filter(el => el.offsetParent !== null && tapArea(el).height < 40)
    .map(el => el.outerHTML.slice(0, 80));
}"""


def screen(journey, label):
    journey.check(label)
    journey.assert_fits_width(WIDTH, label)
    small = journey.page.evaluate(SMALL_CONTROLS)
    assert not small, f"{label}: controls too small to tap: {small}"


def test_a_coordinator_records_searches_and_imports_on_a_tablet(open_journey, team):  # noqa: F811
    coordinator = UserFactory(role=Role.COORDINATOR, teams=[team], username="cora")
    known = SurvivorFactory(team=team, legal_first_name="Robert", legal_last_name="Whitfield",
                            date_of_birth=date(1988, 2, 3))
    journey = open_journey("intake", TABLET)
    page = journey.page
    log_in(journey, coordinator)

    journey.goto(reverse("survivors:event_create"))
    screen(journey, "event form")
    page.get_by_label("First name (legal)").fill("Bob")
    page.get_by_label("Last name (legal)").fill("Whitfield")
    page.get_by_label("Date of birth").fill("1988-02-03")
    page.get_by_label("Date of birth").press("Tab")
    proposal = page.locator(f"[data-match='{known.pk}']")
    proposal.wait_for()
    assert "Nickname" in proposal.inner_text() and "Same date of birth" in proposal.inner_text()
    proposal.locator("label").tap()
    when = timezone.localtime(timezone.now() - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("When did it happen?").fill(when)
    page.get_by_label("Reported by").select_option("ems")
    page.get_by_label("The source's incident number").fill("EMS-TAB-1")
    screen(journey, "event form with a proposed match")
    journey.submit(page.get_by_role("button", name="Save the event"), tap=True)
    assert journey.path() == reverse("survivors:detail", args=[known.pk])
    assert "Event saved" in page.get_by_role("status").inner_text()
    screen(journey, "survivor page")

    journey.goto(reverse("survivors:list"))
    page.get_by_label("Name (part of it is enough)").fill("whitf")
    journey.submit(page.get_by_role("button", name="Search"), tap=True)
    assert journey.path() == reverse("survivors:list") and "whitf" not in page.url
    assert "Whitfield" in page.locator("#survivor-results").inner_text()
    screen(journey, "search results")

    journey.goto(reverse("survivors:import_upload"))
    screen(journey, "import upload")
    page.get_by_label("Where is this export from?").select_option("police")
    stamp = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%m/%d/%Y %H:%M")
    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "police.csv", "mimeType": "text/csv",
        "buffer": f"Incident,Date,First,Last\r\nPD-1,{stamp},Rob,Whitfield\r\nPD-2,bad date,Al,Ng\r\n".encode(),
    }])
    journey.submit(page.get_by_role("button", name="Upload"), tap=True)
    screen(journey, "import columns")
    journey.submit(page.get_by_role("button", name="Check the rows"), tap=True)
    screen(journey, "import preview")
    journey.submit(page.get_by_role("button", name="Import 1 row"), tap=True)
    assert "1 unmatched" in page.locator("#import-counts").inner_text()
    screen(journey, "import done")

    journey.submit(page.get_by_role("link", name="Resolve 1 unmatched event"), tap=True)
    screen(journey, "unmatched events")
    journey.submit(page.get_by_role("link", name="Resolve incident PD-1"), tap=True)
    screen(journey, "resolve an unmatched event")
    page.locator(f"[data-match='{known.pk}'] label").tap()
    journey.submit(page.get_by_role("button", name="Attach the event"), tap=True)
    assert OverdoseEvent.objects.get(source_incident_number="PD-1").survivor == known
