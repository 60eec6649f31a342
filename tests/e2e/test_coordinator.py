"""Coordinator at a desk: records an overdose event for a new person, is asked about a probable
duplicate on the next one, assigns the follow-up, and imports a CSV with one bad row."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp
from port.accounts.roles import Role
from survivors.models import OverdoseEvent, Survivor
from tests.factories import UserFactory

from .conftest import DESKTOP

# An EMS export: the third row's date of birth is impossible.
EMS_CSV = """Incident number,Date,First name,Last name,DOB,Phone,Outcome,Naloxone given
EMS-2026-1101,2026-11-02 08:15,Luis,Romero,1988-04-12,(202) 555-0161,survived,yes
EMS-2026-1102,2026-11-03 22:40,Keisha,Grant,1979-09-30,(202) 555-0162,survived,no
EMS-2026-1103,2026-11-04 13:05,Tom,Baker,1990-02-31,(202) 555-0163,survived,yes
"""


def local_input(when):
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def fill_event(page, *, occurred_at, incident):
    page.get_by_label("When did it happen?").fill(local_input(occurred_at))
    page.get_by_label("Survived").check()
    page.get_by_label("Reported by").select_option(label="EMS")
    page.get_by_label("The source's incident number").fill(incident)


def test_coordinator_records_events_meets_a_duplicate_assigns_and_imports(open_journey, login, team, tmp_path):
    coordinator = UserFactory(role=Role.COORDINATOR, teams=[team], username="casey", first_name="Casey")
    worker = UserFactory(role=Role.OUTREACH, teams=[team], first_name="Olivia", last_name="Ortiz")
    UserFactory(role=Role.OUTREACH, teams=[team], first_name="Sam", last_name="Reed")
    journey = open_journey("coordinator", DESKTOP)
    page = journey.page
    login(journey, coordinator)
    assert journey.path() == reverse("followups:team_worklist")
    journey.check("team worklist")

    # A new person's first overdose.
    journey.submit(page.get_by_role("link", name="Record event"))
    journey.check("event form")
    page.get_by_label("First name (legal)").fill("Marcus")
    page.get_by_label("Last name (legal)").fill("Bell")
    page.get_by_label("Date of birth", exact=True).fill("1991-06-14")
    page.get_by_label("Phone", exact=True).fill("(202) 555-0187")
    fill_event(page, occurred_at=timezone.now() - timedelta(hours=20), incident="EMS-2026-0917")
    journey.submit(page.get_by_role("button", name="Save the event"))
    marcus = Survivor.objects.get(legal_last_name="Bell")
    assert journey.path() == reverse("survivors:detail", args=[marcus.pk])
    assert "The initial follow-up is open" in page.get_by_role("status").inner_text()
    journey.check("survivor after the first event")

    # A second report of the same person: the form asks before it creates anyone.
    journey.submit(page.get_by_role("link", name="Record event"))
    page.get_by_label("First name (legal)").fill("Marc")
    page.get_by_label("Last name (legal)").fill("Bell")
    page.get_by_label("Date of birth", exact=True).fill("1991-06-14")
    page.get_by_label("Date of birth", exact=True).press("Tab")
    prompt = page.get_by_role("group", name="Is this someone already known?")
    prompt.wait_for()
    assert "Marcus Bell" in prompt.inner_text()
    fill_event(page, occurred_at=timezone.now() - timedelta(hours=2), incident="EMS-2026-0944")
    journey.check("probable duplicate")
    prompt.get_by_label("Marcus Bell").check()
    journey.submit(page.get_by_role("button", name="Save the event"))
    assert journey.path() == reverse("survivors:detail", args=[marcus.pk])
    assert "Flagged high risk: repeat overdose" in page.get_by_role("status").inner_text()
    assert Survivor.objects.filter(legal_last_name="Bell").count() == 1
    assert marcus.events.count() == 2
    journey.check("survivor after the second event")

    # Assign the new follow-up to Olivia.
    latest = FollowUp.objects.filter(survivor=marcus, status=FollowUp.Status.OPEN).latest("target_at")
    journey.goto(reverse("followups:detail", args=[latest.pk]))
    page.get_by_label("Assign to").select_option(label="Olivia Ortiz")
    journey.submit(page.get_by_role("button", name="Assign"))
    assert "Assigned to Olivia Ortiz." in page.get_by_role("status").inner_text()
    assert page.locator("#assigned-to").inner_text() == "Olivia Ortiz"
    latest.refresh_from_db()
    assert latest.assigned_to == worker
    journey.check("follow-up assigned")

    # Import an EMS export with one bad row: that row's reason is shown, the others go in.
    csv_file = tmp_path / "ems-export.csv"
    csv_file.write_text(EMS_CSV)
    journey.submit(page.get_by_role("link", name="Import"))
    journey.check("import upload")
    page.get_by_label("Where is this export from?").select_option(label="EMS")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    journey.submit(page.get_by_role("button", name="Upload"))
    journey.check("import columns")
    journey.submit(page.get_by_role("button", name="Check the rows"))
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 1
    row, column, reason = errors.first.locator("td").all_inner_texts()
    assert (row, column) == ("4", "DOB")
    assert "“1990-02-31” is not a date" in reason
    journey.check("import preview with the bad row")
    journey.submit(page.get_by_role("button", name="Import 2 rows"))
    journey.check("import done")
    assert set(OverdoseEvent.objects.filter(source_incident_number__startswith="EMS-2026-110")
               .values_list("source_incident_number", flat=True)) == {"EMS-2026-1101", "EMS-2026-1102"}
