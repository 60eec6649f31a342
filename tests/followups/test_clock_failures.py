"""Clock actions the sweep gave up on: coordinators see them, and "Try again" runs each once more, once."""

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups import scheduler, views
from followups.models import FollowUp, ScheduledEffect
from followups.services import close_followup, schedule_clock
from port.accounts.models import Notification
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from tests.factories import FollowUpFactory, SurvivorFactory
from tests.port.test_security_headers import inline_code_in

from .conftest import hours_after
from .sweep_helpers import EffectCounter

pytestmark = pytest.mark.django_db

Stage = ScheduledEffect.Stage
State = ScheduledEffect.State
PAGE = reverse("followups:clock_failures")


def give_up_on(followup, stage=Stage.DUE):
    """The sweep gives up on one of the follow-up's clock actions, as after SWEEP_MAX_TRIES lost tasks."""

    now = timezone.now()
    ScheduledEffect.objects.filter(followup=followup, stage=stage).update(
        state=State.CLAIMED, claim_token=uuid.uuid4(), tries=settings.SWEEP_MAX_TRIES,
        claimed_at=now - timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES + 1),
    )
    assert scheduler.requeue_stale_claims(now) == (0, 1)
    return ScheduledEffect.objects.get(followup=followup, stage=stage)


def followup_of(team, worker=None, **survivor_fields):
    """An open follow-up of the team, its clock scheduled."""

    survivor = SurvivorFactory(team=team, **survivor_fields)
    followup = FollowUpFactory(event__survivor=survivor, event__team=team, assigned_to=worker)
    schedule_clock(followup)
    return followup


def failures(team, count, worker=None):
    return [give_up_on(followup_of(team, worker)) for _ in range(count)]


def listed(response):
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'<tr id="effect-(\d+)"', response.content.decode())]


def retry(client, effect):
    return client.post(reverse("followups:retry_clock_action", args=[effect.pk]), follow=True)


def shown_messages(response):
    return [str(m) for m in response.context["messages"]]


def test_the_page_lists_the_failed_actions_of_my_teams_and_not_another_teams(client, team, other_team, crew):
    mine = give_up_on(followup_of(team, crew["worker"], legal_first_name="Dana", legal_last_name="Whitfield"))
    theirs = give_up_on(followup_of(other_team))
    followup_of(team)  # its clock is fine: not listed
    client.force_login(crew["coordinator"])

    response = client.get(PAGE)

    assert listed(response) == [mine.pk]
    page = response.content.decode()
    assert f'<a href="{reverse("followups:detail", args=[mine.followup_id])}">Dana Whitfield</a>' in page
    assert "Tell the assigned worker the follow-up is due" in page
    assert "1 failed clock action" in page
    assert theirs.followup.survivor.legal_last_name not in page
    assert not inline_code_in(page)  # the URL walk sees the page empty


def test_supervisors_see_every_teams_failed_actions(client, team, other_team, make_user):
    failed = [give_up_on(followup_of(team)), give_up_on(followup_of(other_team))]
    client.force_login(make_user(role=Role.SUPERVISOR, teams=[]))

    assert sorted(listed(client.get(PAGE))) == sorted(e.pk for e in failed)


@pytest.mark.parametrize("role", [Role.OUTREACH, Role.PARTNER])
def test_outreach_workers_and_partners_are_refused(client, team, users, role):
    [failed] = failures(team, 1)
    client.force_login(users[role])

    refused = client.get(PAGE)
    assert refused.status_code == 403
    assert "Only coordinators, supervisors and admins review failed clock actions." in refused.content.decode()
    assert client.post(reverse("followups:retry_clock_action", args=[failed.pk])).status_code == 403
    assert ScheduledEffect.objects.get(pk=failed.pk).state == State.FAILED


def test_another_teams_failed_action_cannot_be_retried(client, other_team, crew):
    theirs = give_up_on(followup_of(other_team))
    client.force_login(crew["coordinator"])

    assert client.post(reverse("followups:retry_clock_action", args=[theirs.pk])).status_code == 404
    assert ScheduledEffect.objects.get(pk=theirs.pk).state == State.FAILED


def test_try_again_queues_the_action_and_the_next_sweep_performs_it_once(
    client, crew, open_event, sweep_at, monkeypatch
):
    counter = EffectCounter(monkeypatch)
    event = open_event()
    followup = FollowUp.objects.get(event=event)
    due_key = f"followup:{followup.pk}:due"
    an_hour_late = hours_after(event.occurred_at, 25)
    with time_machine.travel(an_hour_late, tick=False):
        failed = give_up_on(followup)
        assert not Notification.objects.filter(key=due_key).exists()
        client.force_login(crew["coordinator"])

        response = retry(client, failed)

    effect = ScheduledEffect.objects.get(pk=failed.pk)
    assert (effect.state, effect.tries, effect.claim_token, effect.claimed_at, effect.done_at) == (
        State.PENDING, 0, None, None, None
    )
    assert effect.due_at == failed.due_at  # already past: claimed by the next sweep
    assert shown_messages(response) == [
        f"Initial follow-up #{followup.pk}: queued again. The next sweep, within a minute, runs it if it applies."
    ]
    assert listed(response) == []

    sweep_at(an_hour_late + timedelta(minutes=1))
    sweep_at(an_hour_late + timedelta(minutes=2))

    assert dict(counter.runs) == {(followup.pk, "due"): 1}
    assert Notification.objects.filter(key=due_key, user=crew["worker"]).count() == 1
    assert ScheduledEffect.objects.get(pk=failed.pk).state == State.DONE


def test_try_again_is_audited_with_who_retried_which_action(client, team, crew):
    [failed] = failures(team, 1)
    client.force_login(crew["coordinator"])

    retry(client, failed)

    audit = AuditEvent.objects.get(detail__contains=f"scheduled effect {failed.pk}")
    assert (audit.user, audit.action, audit.object_type, audit.object_id) == (
        crew["coordinator"], "change", "followups.followup", str(failed.followup_id)
    )
    assert audit.detail == f"clock action due (scheduled effect {failed.pk}) queued again after failing"
    assert audit.survivor_id == failed.followup.survivor_id


def test_a_second_click_or_a_stale_page_queues_it_once(client, team, crew, sweep_at, monkeypatch):
    counter = EffectCounter(monkeypatch)
    [failed] = failures(team, 1, crew["worker"])
    client.force_login(crew["coordinator"])

    retry(client, failed)
    second = retry(client, failed)

    assert shown_messages(second) == [
        f"Initial follow-up #{failed.followup_id}: this action was already tried again or cleared; "
        "nothing was queued twice."
    ]
    assert AuditEvent.objects.filter(detail__contains=f"scheduled effect {failed.pk}").count() == 1
    sweep_at(failed.followup.target_at + timedelta(minutes=1))
    assert retry(client, failed).status_code == 200  # the page was stale: the action ran already
    assert ScheduledEffect.objects.get(pk=failed.pk).state == State.DONE
    assert dict(counter.runs) == {(failed.followup_id, "due"): 1}


def test_a_closed_followups_failed_action_is_marked_skipped_and_nothing_is_sent(client, team, crew, sweep_at):
    [failed] = failures(team, 1, crew["worker"])
    client.force_login(crew["coordinator"])
    close_followup(FollowUp.objects.get(pk=failed.followup_id), FollowUp.Status.REACHED)
    assert "Follow-up closed (reached): nothing to send." in client.get(PAGE).content.decode()

    response = retry(client, failed)

    assert shown_messages(response) == [
        f"Initial follow-up #{failed.followup_id} is closed (reached): nothing will be sent. "
        "The failed action is marked skipped."
    ]
    assert ScheduledEffect.objects.get(pk=failed.pk).state == State.SKIPPED
    assert "cleared: follow-up closed" in AuditEvent.objects.get(detail__contains=f"effect {failed.pk})").detail
    sweep_at(failed.followup.target_at + timedelta(minutes=1))
    assert not Notification.objects.filter(key__startswith=f"followup:{failed.followup_id}:due").exists()


def test_the_team_worklist_warns_of_failed_actions_only_when_there_are_some(client, team, other_team, crew):
    client.force_login(crew["coordinator"])
    worklist = reverse("followups:team_worklist")
    failures(other_team, 1)  # not the coordinator's team

    assert 'id="clock-failures-warning"' not in client.get(worklist).content.decode()

    failures(team, 2)
    page = client.get(worklist).content.decode()

    assert "2 clock actions failed" in page
    assert f'href="{PAGE}"' in page


def test_the_team_worklist_counts_failures_in_one_query(client, team, crew):
    failures(team, 3)
    client.force_login(crew["coordinator"])

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("followups:team_worklist")).status_code == 200

    assert len([q for q in queries if "followups_scheduledeffect" in q["sql"]]) == 1


def test_the_page_takes_the_same_number_of_queries_for_2_and_12_failures(client, team, crew):
    client.force_login(crew["coordinator"])

    def query_count():
        with CaptureQueriesContext(connection) as queries:
            assert len(listed(client.get(PAGE))) == ScheduledEffect.objects.filter(state=State.FAILED).count()
        return len(queries)

    failures(team, 2, crew["worker"])
    few = query_count()
    failures(team, 10, crew["worker"])

    assert query_count() == few


def test_the_page_is_paged_and_try_again_returns_to_the_same_page(client, team, crew, monkeypatch):
    monkeypatch.setattr(views, "WORKLIST_PAGE_SIZE", 5)
    failed = failures(team, 12)
    client.force_login(crew["coordinator"])

    third = client.get(PAGE, {"page": 3})

    assert listed(third) == [e.pk for e in failed[10:]]
    assert "Page 3 of 3" in third.content.decode()
    response = client.post(reverse("followups:retry_clock_action", args=[failed[10].pk]), {"page": "3"})
    assert response.url == f"{PAGE}?page=3"


def test_the_navigation_links_the_page_for_those_who_may_open_it(client, users):
    for role in Role:
        client.force_login(users[role])
        page = client.get(reverse("notifications")).content.decode()
        assert (f'href="{PAGE}"' in page) == (role in (Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR)), role


def test_the_supervisors_dashboard_warns_of_failed_actions_too(client, team, make_user):
    supervisor = make_user(role=Role.SUPERVISOR, username="sup-dash")
    client.force_login(supervisor)
    dashboard = reverse("dashboards:dashboard")
    assert 'id="clock-failures-warning"' not in client.get(dashboard).content.decode()

    failures(team, 1)
    page = client.get(dashboard).content.decode()
    assert "1 clock action failed" in page and f'href="{PAGE}"' in page
