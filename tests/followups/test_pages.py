"""The worklists, the visits list, a follow-up's page and the contact-attempt form."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups.models import ContactAttempt, FollowUp
from followups.services import log_contact_attempt
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from tests.factories import ContactAttemptFactory, FollowUpFactory, OverdoseEventFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


def make_followups(team, worker, count, **survivor_fields):
    followups = []
    for i in range(count):
        event = OverdoseEventFactory(
            survivor=SurvivorFactory(team=team, **survivor_fields), team=team,
            occurred_at=timezone.now() - timedelta(hours=10 + i),
        )
        f = FollowUpFactory(event=event, assigned_to=worker)
        ContactAttemptFactory(followup=f, performed_by=worker, notes="Dog in the yard")
        followups.append(f)
    return followups


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def hrefs(response):
    return re.findall(r'href="([^"]*)"', response.content.decode())


@time_machine.travel("2026-03-03 10:00 -0500", tick=False)
def test_my_worklist_shows_my_open_followups_soonest_deadline_first(client, team, crew, make_user):
    worker = crew["worker"]
    later = FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=worker,
                            event__occurred_at=timezone.now() - timedelta(hours=5))
    sooner = FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=worker,
                             event__occurred_at=timezone.now() - timedelta(hours=41))
    FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=make_user(username="someone-else"))
    FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=worker, status="reached")
    client.force_login(worker)

    response = client.get(reverse("followups:worklist"))

    items = re.findall(r'id="followup-(\d+)"', response.content.decode())
    assert items == [str(sooner.pk), str(later.pk)]
    assert "31 h left" in response.content.decode()
    assert "67 h left" in response.content.decode()


def item_ids(page):
    return [int(pk) for pk in re.findall(r'<article[^>]* id="(?:followup|visit)-(\d+)"', page)]


def test_my_worklist_shows_50_a_page_overdue_first_and_says_how_many_there_are(client, team, crew):
    worker = crew["worker"]
    running = make_followups(team, worker, 49)  # deadlines 13 to 62 h away, the first one last
    overdue = [FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=worker,
                               event__occurred_at=timezone.now() - timedelta(hours=80 + i)) for i in range(2)]
    client.force_login(worker)
    url = reverse("followups:worklist")

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert item_ids(first)[:2] == [overdue[1].pk, overdue[0].pk]
    assert len(item_ids(first)) == 50
    assert item_ids(second) == [running[0].pk]  # the 51st: the latest deadline
    assert "<strong>51</strong> open follow-ups assigned to you" in first
    assert "2 overdue" in first and "Page 1 of 2" in first
    assert 'href="?page=2"' in first


def test_the_partners_visits_show_50_a_page_and_how_many_there_are(client, team, users):
    followups = make_followups(team, users[Role.OUTREACH], 51)
    client.force_login(users[Role.PARTNER])
    url = reverse("followups:visits")

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert len(item_ids(first)) == 50 and "<strong>51</strong> open follow-ups" in first
    assert item_ids(second) == [followups[0].pk]


def test_the_worklist_shows_address_for_the_maps_app_phone_language_and_flags(client, team, crew):
    survivor = SurvivorFactory(team=team, address="12 Oak St", city="Springfield", zip_code="45011",
                               phone="+12025550123", language="es", high_risk=True,
                               high_risk_reason="Repeat overdose", ok_to_disclose_household=False)
    FollowUpFactory(event__survivor=survivor, event__team=team, assigned_to=crew["worker"])
    client.force_login(crew["worker"])

    page = client.get(reverse("followups:worklist")).content.decode()

    assert 'href="geo:0,0?q=12%20Oak%20St%2C%20Springfield%2C%2045011"' in page
    assert 'href="tel:+12025550123"' in page
    assert "Spanish" in page
    assert "Repeat overdose" in page
    assert "say only “community outreach”" in page


def test_worklist_links_carry_ids_only(client, team, crew):
    survivor = SurvivorFactory(team=team, legal_first_name="Zelda", legal_last_name="Quartermaine")
    FollowUpFactory(event__survivor=survivor, event__team=team, assigned_to=crew["worker"])
    client.force_login(crew["worker"])

    for url in (reverse("followups:worklist"), reverse("followups:visits")):
        links = [h for h in hrefs(client.get(url)) if not h.startswith(("geo:", "tel:"))]
        assert not [h for h in links if "Zelda" in h or "Quartermaine" in h or "+1202" in h]


@pytest.mark.parametrize("url_name,role", [
    ("followups:worklist", Role.OUTREACH),
    ("followups:team_worklist", Role.COORDINATOR),
    ("followups:visits", Role.PARTNER),
])
def test_worklist_pages_take_the_same_number_of_queries_for_5_and_50_rows(client, team, users, url_name, role):
    worker = users[Role.OUTREACH]
    client.force_login(users[role])
    make_followups(team, worker, 5)
    few = query_count(client, reverse(url_name))
    make_followups(team, worker, 45)

    many = query_count(client, reverse(url_name))

    assert many == few


def test_the_followup_page_takes_the_same_number_of_queries_for_1_and_10_attempts(client, team, crew):
    [followup] = make_followups(team, crew["worker"], 1)
    client.force_login(crew["coordinator"])
    url = reverse("followups:detail", args=[followup.pk])
    few = query_count(client, url)
    for _ in range(9):
        ContactAttemptFactory(followup=followup, performed_by=crew["worker"])

    assert query_count(client, url) == few


def test_the_team_worklist_filters_by_worker_status_and_overdue(client, team, crew, make_user):
    other = make_user(username="other-worker")
    overdue = FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=crew["worker"],
                              event__occurred_at=timezone.now() - timedelta(hours=80))
    running = FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=other)
    reached = FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=other, status="reached")
    client.force_login(crew["coordinator"])
    url = reverse("followups:team_worklist")

    def rows(**params):
        page = client.get(url, params).content.decode()
        return {int(pk) for pk in re.findall(r'<tr id="followup-(\d+)"', page)}

    assert rows() == {overdue.pk, running.pk}
    assert rows(worker=other.pk, status="open") == {running.pk}
    assert rows(overdue="on", status="open") == {overdue.pk}
    assert rows(worker=other.pk, status="") == {running.pk, reached.pk}
    assert rows(status="reached") == {reached.pk}


def test_the_team_worklist_is_for_coordinators(client, users):
    client.force_login(users[Role.OUTREACH])
    assert client.get(reverse("followups:team_worklist")).status_code == 403


def test_the_partner_sees_who_to_visit_and_past_visits_but_nothing_clinical(client, team, users):
    [followup] = make_followups(team, users[Role.OUTREACH], 1)
    ContactAttemptFactory(followup=followup, method="phone", outcome="voicemail", notes="Talked about MOUD")
    client.force_login(users[Role.PARTNER])

    page = client.get(reverse("followups:visits")).content.decode()

    assert followup.survivor.display_name in page
    assert "Not home" in page  # the visit's outcome
    assert "Voicemail" not in page  # phone calls are not visits
    assert "Dog in the yard" not in page and "MOUD" not in page
    assert reverse("followups:detail", args=[followup.pk]) not in page


@pytest.mark.parametrize("url_name", ["followups:detail", "followups:log_attempt"])
def test_a_partner_cannot_open_a_followup_or_log_an_attempt(client, team, users, url_name):
    [followup] = make_followups(team, users[Role.OUTREACH], 1)
    client.force_login(users[Role.PARTNER])

    assert client.get(reverse(url_name, args=[followup.pk])).status_code == 403


def test_another_teams_followup_is_not_found(client, crew, other_team):
    followup = FollowUpFactory(event__survivor__team=other_team, event__team=other_team)
    client.force_login(crew["worker"])

    assert client.get(reverse("followups:detail", args=[followup.pk])).status_code == 404
    assert client.post(reverse("followups:log_attempt", args=[followup.pk]), {}).status_code == 404


def test_opening_a_followup_is_audited(client, team, crew):
    [followup] = make_followups(team, crew["worker"], 1)
    client.force_login(crew["worker"])

    page = client.get(reverse("followups:detail", args=[followup.pk])).content.decode()

    assert "Dog in the yard" in page
    assert AuditEvent.objects.filter(
        action="view", object_id=str(followup.pk), user=crew["worker"], survivor_id=followup.survivor_id
    ).exists()


def test_the_visit_screen_says_what_may_be_told_to_the_household(client, team, crew):
    quiet = FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=crew["worker"],
                            event__survivor__ok_to_disclose_household=False)
    open_ = FollowUpFactory(event__survivor__team=team, event__team=team, assigned_to=crew["worker"],
                            event__survivor__ok_to_disclose_household=True)
    client.force_login(crew["worker"])

    def page(f):
        return client.get(reverse("followups:log_attempt", args=[f.pk])).content.decode()

    assert "Say only: “community outreach”." in page(quiet)
    assert 'data-disclose="yes"' in page(open_)


def test_the_attempt_form_starts_with_a_visit_now_and_nothing_left_behind(client, team, crew):
    [followup] = make_followups(team, crew["worker"], 1)
    client.force_login(crew["worker"])
    with time_machine.travel(timezone.now().replace(second=0, microsecond=0), tick=False):
        page = client.get(reverse("followups:log_attempt", args=[followup.pk])).content.decode()
        local_now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    assert 'name="method" id="id_method_0" value="visit" checked' in page
    assert 'value="nothing" checked' in page
    assert 'id="id_method_0" value="---------"' not in page
    assert f'value="{local_now}"' in page
    assert 'id="id_send_fallback" checked' in page


def post_attempt(client, followup, **overrides):
    data = {"method": "visit", "outcome": "not_home", "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "left_behind": "generic_card", "naloxone_kits": "0", "test_strips": "0", "send_fallback": "on"}
    data.update(overrides)
    return client.post(reverse("followups:log_attempt", args=[followup.pk]), data)


def test_logging_a_reaching_visit_closes_the_followup_and_offers_a_referral(client, team, crew, open_event):
    followup = FollowUp.objects.get(event=open_event(at=timezone.now() - timedelta(hours=3)))
    client.force_login(crew["worker"])

    response = post_attempt(client, followup, outcome="reached_engaged", left_behind="materials",
                            naloxone_kits="2", notes="Wants to talk again", police_present="on",
                            team_members=[crew["coordinator"].pk])

    attempt = ContactAttempt.objects.get(followup=followup)
    assert response.status_code == 302
    assert response["Location"] == reverse("followups:detail", args=[followup.pk]) + f"#attempt-{attempt.pk}"
    assert (attempt.performed_by, attempt.naloxone_kits, attempt.police_present) == (crew["worker"], 2, True)
    assert list(attempt.team_members.all()) == [crew["coordinator"]]
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.REACHED
    page = client.get(response["Location"]).content.decode()
    assert "The follow-up is closed and check-ins are scheduled." in page
    referral = reverse("referrals:create_for_survivor", args=[followup.survivor_id]) + f"?attempt={attempt.pk}"
    assert f'href="{referral}"' in page


def test_a_visit_not_possible_sends_the_fallback_from_the_form(client, team, crew, monkeypatch):
    [followup] = make_followups(team, crew["worker"], 1)
    calls = []
    monkeypatch.setattr("followups.messaging.services.queue_fallback_contact",
                        lambda f, **kw: calls.append(kw) or None)
    client.force_login(crew["worker"])

    post_attempt(client, followup, outcome="unsafe")
    post_attempt(client, followup, outcome="not_home", send_fallback="")

    assert calls == [{"reason": "visit_not_possible", "stage": "visit", "by": crew["worker"]}]


def test_a_mistake_in_the_form_says_what_to_fix_and_keeps_what_was_typed(client, team, crew):
    [followup] = make_followups(team, crew["worker"], 1)
    client.force_login(crew["worker"])

    response = post_attempt(client, followup, outcome="not_home", left_behind="materials",
                            notes="Neighbour said back tomorrow", naloxone_kits="3")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Leave information materials only when you reached the person" in page
    assert "Neighbour said back tomorrow" in page
    assert 'value="3"' in page
    assert ContactAttempt.objects.filter(followup=followup).count() == 1  # only the factory's


@pytest.mark.parametrize("overrides,message", [
    ({"method": "phone", "outcome": "not_home"}, "goes with a in-person visit"),
    ({"at": "2099-01-01T10:00"}, "This is in the future"),
    ({"naloxone_kits": "500"}, "at most 50"),
])
def test_impossible_attempts_are_refused_with_a_clear_message(client, team, crew, overrides, message):
    [followup] = make_followups(team, crew["worker"], 1)
    client.force_login(crew["worker"])

    page = post_attempt(client, followup, **overrides).content.decode()

    assert message in page


def test_the_coordinator_confirms_closing_from_the_followup_page(client, team, crew, settings):
    settings.FOLLOWUP_MAX_ATTEMPTS = 2
    [followup] = make_followups(team, crew["worker"], 1)
    log_contact_attempt(followup, by=crew["worker"], method="phone", outcome="no_answer")
    url = reverse("followups:confirm_unreached", args=[followup.pk])

    client.force_login(crew["worker"])
    assert "confirm-unreached" not in client.get(reverse("followups:detail", args=[followup.pk])).content.decode()
    assert client.post(url).status_code == 403

    client.force_login(crew["coordinator"])
    assert 'id="confirm-unreached"' in client.get(reverse("followups:detail", args=[followup.pk])).content.decode()
    client.post(url)
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.CLOSED_UNREACHED


def test_the_coordinator_reassigns_from_the_followup_page(client, team, crew, make_user):
    [followup] = make_followups(team, crew["worker"], 1)
    other = make_user(username="other-worker")
    client.force_login(crew["coordinator"])

    response = client.post(reverse("followups:assign", args=[followup.pk]), {"worker": other.pk}, follow=True)

    followup.refresh_from_db()
    assert followup.assigned_to == other
    assert f"Assigned to {other}." in response.content.decode()


def test_the_followup_page_sends_the_fallback_text_in_one_tap(client, team, crew):
    from followups.messaging.defaults import DEFAULTS
    from followups.messaging.models import Message, MessageTemplate

    for name, channel, language, body in DEFAULTS:
        MessageTemplate.objects.get_or_create(name=name, channel=channel, language=language, defaults={"body": body})
    [followup] = make_followups(team, crew["worker"], 1)
    client.force_login(crew["worker"])
    page = client.get(reverse("followups:detail", args=[followup.pk])).content.decode()
    action = reverse("messaging:send_fallback", args=[followup.pk])
    assert f'hx-post="{action}"' in page and f'id="fallback-{followup.pk}"' in page

    response = client.post(action, HTTP_HX_REQUEST="true")

    assert f'id="fallback-{followup.pk}"' in response.content.decode()
    assert Message.objects.filter(followup=followup).count() == 1


def test_the_team_worklist_pages_keep_the_filters(client, team, crew):
    make_followups(team, crew["worker"], 51)
    client.force_login(crew["coordinator"])

    page = client.get(reverse("followups:team_worklist"), {"worker": crew["worker"].pk, "status": "open"})

    assert f'href="?worker={crew["worker"].pk}&amp;status=open&amp;page=2"' in page.content.decode()
    assert "51 follow-ups" in page.content.decode()
