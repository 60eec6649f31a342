"""The dashboard page, the rows behind each number, who may see them, and a flat query count."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from port.audit.models import AuditEvent
from tests.factories import ContactAttemptFactory, FollowUpFactory, OverdoseEventFactory, ReferralFactory

from .conftest import REACHED, local

pytestmark = pytest.mark.django_db


def _query(dataset, **extra):
    return urlencode({**dataset.period.query(), **extra})


def _figures(response):
    """{figure label: (this period, previous period)} as the page shows them."""

    return {row[0].text: (row[1].text, row[2].text) for row in response.context["tables"]["figures"].rows}


def test_a_supervisor_sees_every_figure_beside_the_previous_period(client, login, dataset):
    login(dataset.supervisor)
    response = client.get(f"{reverse('dashboards:dashboard')}?{_query(dataset)}")
    assert response.status_code == 200
    figures = _figures(response)
    assert figures["Overdose events"] == ("8", "1")
    assert figures["People"] == ("7", "1")
    assert figures["Attempted within 72 h"] == ("75% (6 of 8)", "100% (1 of 1)")
    assert figures["Reached within 72 h"] == ("62% (5 of 8)", "100% (1 of 1)")
    assert figures["Reached within 24 h"] == ("50% (4 of 8)", "0% (0 of 1)")
    assert figures["Time to first contact (median)"] == ("15.0 h", "30.0 h")
    assert figures["Attempts per person"] == ("1.4", "1.0")
    assert figures["Declined"] == ("1", "0")
    assert figures["Not locatable"] == ("1", "0")
    assert figures["Linked to treatment"] == ("40% (2 of 5)", "0% (0 of 1)")
    assert figures["Naloxone kits to survivors"] == ("3", "4")
    assert figures["Naloxone kits to family members"] == ("4", "0")
    assert figures["Repeat overdoses"] == ("1", "0")
    assert figures["Treatment referrals"] == ("8", "1")
    assert figures["Days to admission (median)"] == ("4.0 days", "—")
    assert figures["Retained at 30 days"] == ("75% (3 of 4)", "—")
    assert figures["Retained at 90 days"] == ("100% (1 of 1)", "—")
    content = response.content.decode()
    assert "Mar 1, 2026 to Mar 14, 2026" in content and "Feb 15, 2026 to Feb 28, 2026" in content


def test_charts_have_their_data_as_json_and_no_inline_script(client, login, dataset):
    login(dataset.supervisor)
    response = client.get(f"{reverse('dashboards:dashboard')}?{_query(dataset)}")
    content = response.content.decode()
    data = response.context["chart_data"]
    assert data["weekly"]["labels"] == ["2026-02-23", "2026-03-02", "2026-03-09"]
    assert data["weekly"]["reached"] == [1, 3, 1]
    assert 'id="chart-data" type="application/json"' in content
    for tag in re.findall(r"<script[^>]*>", content):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "vendor/chart.js/chart.umd.min.js" in content
    assert finders.find("vendor/chart.js/chart.umd.min.js")
    for key in ("weekly_events", "weekly_reached", "referrals", "workload"):
        assert f'id="table-{key}"' in content  # each chart's table equivalent
        assert reverse("dashboards:export_table", args=[key]) in content
    assert " style=" not in content and " onclick=" not in content


def test_an_outreach_worker_sees_their_own_numbers_whatever_team_is_asked(client, login, dataset):
    login(dataset.outreach)
    response = client.get(f"{reverse('dashboards:dashboard')}?{_query(dataset, team=dataset.south.pk)}")
    assert response.status_code == 200
    figures = _figures(response)
    assert figures["Overdose events"] == ("4", "1")
    assert figures["Reached within 24 h"] == ("50% (2 of 4)", "0% (0 of 1)")
    assert figures["Naloxone kits to survivors"] == ("2", "0")  # the kits they handed out themselves
    assert [row[0].text for row in response.context["tables"]["workload"].rows] == [str(dataset.outreach)]
    assert "Your own numbers" in response.content.decode()
    assert "team" not in response.context["form"].fields


def test_a_coordinator_cannot_pick_another_teams_numbers(client, login, dataset):
    from tests.factories import TeamFactory

    dataset.coordinator.teams.add(TeamFactory(name="West County PORT"))  # two teams: the filter shows
    login(dataset.coordinator)
    response = client.get(f"{reverse('dashboards:dashboard')}?{_query(dataset, team=dataset.south.pk)}")
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["team"][0]
    assert _figures(response)["Overdose events"] == ("7", "1")  # their own teams, never the South's
    response = client.get(f"{reverse('dashboards:dashboard')}?{_query(dataset, team=dataset.north.pk)}")
    assert _figures(response)["Overdose events"] == ("7", "1")


def test_bad_dates_are_explained_and_kept(client, login, dataset):
    login(dataset.supervisor)
    response = client.get(reverse("dashboards:dashboard"), {"period": "custom", "date_from": "2026-03-10",
                                                            "date_to": "2026-03-01"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "The last day must be on or after the first day." in content
    assert 'value="2026-03-10"' in content and 'value="2026-03-01"' in content
    assert response.context["period"].days == 30  # the last 30 days meanwhile, said so on the page
    response = client.get(reverse("dashboards:dashboard"), {"period": "custom", "date_from": "2026-03-10"})
    assert "Enter the last day of the period." in response.content.decode()


def test_the_partner_role_has_no_dashboard(client, login, dataset):
    login(dataset.partner)
    q = _query(dataset)
    for url in (
        reverse("dashboards:dashboard"),
        reverse("dashboards:rows", args=["events"]),
        reverse("dashboards:export_table", args=["figures"]),
        reverse("dashboards:export_deidentified"),
        reverse("dashboards:export_identified"),
        reverse("dashboards:report"),
    ):
        assert client.get(f"{url}?{q}").status_code == 403, url


# The rows behind each number: (drill, extra GET parameters, what the page must sum to).
DRILLS = [
    ("events", {}, "8 events"),
    ("attempted_72h", {}, "6 events"),
    ("reached_72h", {}, "5 events"),
    ("missed_72h", {}, "3 events"),
    ("reached_24h", {}, "4 events"),
    ("reached", {}, "6 events"),
    ("attempts", {}, "10 attempts"),
    ("people", {}, "7 people"),
    ("declined", {}, "1 people"),
    ("not_locatable", {}, "1 people"),
    ("linked", {}, "2 people"),
    ("repeat", {}, "1 people"),
    ("kits_survivors", {}, "2 hand-outs, 3 kits"),
    ("kits_family", {}, "2 hand-outs, 4 kits"),
    ("treatment", {}, "8 referrals for 6 people"),
    ("admitted", {}, "3 referrals for 3 people"),
    ("retained_30", {}, "3 referrals for 3 people"),
    ("retained_90", {}, "1 referrals for 1 people"),
    ("referrals", {"category": "moud", "status": "connected"}, "2 referrals for 2 people"),
    ("referrals", {"category": "family"}, "1 referrals for 1 people"),
    ("overdue", {}, "4 follow-ups"),
    ("open", {"worker": "none"}, "1 follow-ups"),
]


@pytest.mark.parametrize(("key", "params", "expected"), DRILLS, ids=[f"{d[0]}-{len(d[1])}" for d in DRILLS])
def test_the_rows_behind_each_number_add_up_to_it(client, login, dataset, key, params, expected):
    login(dataset.supervisor)
    response = client.get(f"{reverse('dashboards:rows', args=[key])}?{_query(dataset, **params)}")
    assert response.status_code == 200
    assert response.context["summary"] == expected
    audit = AuditEvent.objects.filter(user=dataset.supervisor, action="view").latest("id")
    assert audit.detail.startswith(f"dashboard rows: {key}")


def test_drill_rows_list_the_people_and_events_themselves(client, login, dataset):
    login(dataset.supervisor)
    response = client.get(f"{reverse('dashboards:rows', args=['not_locatable'])}?{_query(dataset)}")
    assert [s.legal_last_name for s in response.context["page"]] == ["Pettigrew"]
    response = client.get(f"{reverse('dashboards:rows', args=['reached_72h'])}?{_query(dataset)}")
    listed = {e.pk for e in response.context["page"]}
    assert listed == {dataset.events[n].pk for n in (1, 2, 6, 9, 12)}


def test_every_figure_on_the_dashboard_links_to_its_rows(client, login, dataset):
    login(dataset.coordinator)
    response = client.get(f"{reverse('dashboards:dashboard')}?{_query(dataset)}")
    rows_url = reverse("dashboards:rows", args=["x"]).rsplit("x/", 1)[0]
    for row in response.context["tables"]["figures"].rows:
        for cell in row[1:3]:
            if cell.text == "—":  # nothing to count (no one admitted in the previous period): no link
                assert not cell.href
            else:
                assert cell.href.startswith(rows_url), row[0].text
    href = _figures_links(response)["Reached within 72 h"]
    assert client.get(href).context["summary"] == "4 events"  # the coordinator's team only


def _figures_links(response):
    return {row[0].text: row[1].href for row in response.context["tables"]["figures"].rows}


def test_an_outreach_workers_rows_are_their_own(client, login, dataset):
    login(dataset.outreach)
    response = client.get(f"{reverse('dashboards:rows', args=['events'])}?{_query(dataset)}")
    assert response.context["summary"] == "4 events"
    assert {e.pk for e in response.context["page"]} == {dataset.events[n].pk for n in (1, 2, 5, 6)}


def test_unknown_figures_and_parameters_are_refused_clearly(client, login, dataset):
    login(dataset.supervisor)
    assert client.get(reverse("dashboards:rows", args=["nope"])).status_code == 404
    response = client.get(f"{reverse('dashboards:rows', args=['referrals'])}?{_query(dataset, category='pizza')}")
    assert response.status_code == 400 and b"Unknown referral category" in response.content


def _more_data(dataset, n):
    """n more survivors with an event, a follow-up, two attempts and a referral each."""

    for i in range(n):
        event = OverdoseEventFactory(survivor__team=dataset.north, team=dataset.north,
                                     occurred_at=local(3, 2 + i % 10, 6))
        followup = FollowUpFactory(event=event, assigned_to=dataset.outreach)
        ContactAttemptFactory(followup=followup, at=event.occurred_at + (i + 1) * (local(1, 1, 1) - local(1, 1, 0)))
        ContactAttemptFactory(followup=followup, at=event.occurred_at + (local(1, 2, 0) - local(1, 1, 0)),
                              outcome=REACHED)
        ReferralFactory(survivor=event.survivor, team=dataset.north, category="detox", made_at=local(3, 3, 9))


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["supervisor", "outreach"])
def test_the_dashboard_costs_the_same_queries_whatever_the_data(client, login, dataset, who):
    login(getattr(dataset, who))
    dashboard = f"{reverse('dashboards:dashboard')}?{_query(dataset)}"
    rows = f"{reverse('dashboards:rows', args=['events'])}?{_query(dataset)}"
    _count_queries(client, dashboard)  # warm up (session, content types)
    before = (_count_queries(client, dashboard), _count_queries(client, rows))
    _more_data(dataset, 40)
    assert (_count_queries(client, dashboard), _count_queries(client, rows)) == before
