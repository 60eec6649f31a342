"""Logging contact attempts, the fallback for a visit that was not possible, max attempts and assignment."""

import pytest
from django.core.exceptions import ValidationError

from followups.models import ContactAttempt, FollowUp
from followups.services import assign_followup, confirm_unable_to_reach, log_contact_attempt, pick_assignee
from port.accounts.models import Notification
from port.audit.models import AuditEvent
from survivors.models import NaloxoneDistribution, Survivor

pytestmark = pytest.mark.django_db

Outcome = ContactAttempt.Outcome


@pytest.fixture
def fallback_calls(monkeypatch):
    calls = []

    def spy(followup, *, reason, stage, by=None):
        calls.append({"followup": followup.pk, "reason": reason, "stage": stage, "by": by})
        return None

    monkeypatch.setattr("followups.messaging.services.queue_fallback_contact", spy)
    return calls


@pytest.fixture
def followup(open_event):
    return FollowUp.objects.get(event=open_event())


@pytest.mark.parametrize("outcome", ContactAttempt.VISIT_NOT_POSSIBLE)
def test_a_visit_that_was_not_possible_sends_the_fallback_when_asked(followup, crew, fallback_calls, outcome):
    log_contact_attempt(followup, by=crew["worker"], method="visit", outcome=outcome, send_fallback=True)

    assert fallback_calls == [
        {"followup": followup.pk, "reason": "visit_not_possible", "stage": "visit", "by": crew["worker"]}
    ]


def test_no_fallback_when_the_worker_unticks_it(followup, crew, fallback_calls):
    log_contact_attempt(followup, by=crew["worker"], method="visit", outcome=Outcome.NOT_HOME, send_fallback=False)

    assert fallback_calls == []


@pytest.mark.parametrize("method,outcome", [("phone", "no_answer"), ("visit", "reached_engaged"), ("visit", "moved")])
def test_no_fallback_unless_a_visit_was_not_possible(followup, crew, fallback_calls, method, outcome):
    log_contact_attempt(followup, by=crew["worker"], method=method, outcome=outcome, send_fallback=True)

    assert fallback_calls == []


def test_the_fallback_text_is_written_with_the_attempt(followup, crew, django_capture_on_commit_callbacks):
    from followups.messaging.defaults import DEFAULTS
    from followups.messaging.models import Message, MessageTemplate

    for name, channel, language, body in DEFAULTS:
        MessageTemplate.objects.get_or_create(name=name, channel=channel, language=language, defaults={"body": body})

    with django_capture_on_commit_callbacks():
        attempt = log_contact_attempt(
            followup, by=crew["worker"], method="visit", outcome=Outcome.NOT_HOME, send_fallback=True
        )

    message = Message.objects.get(followup=followup)
    assert attempt.fallback_message == message
    assert message.sent_by == crew["worker"]
    assert message.to_number == followup.survivor.phone.as_e164


def test_naloxone_kits_given_on_a_visit_are_recorded_as_a_distribution(followup, crew):
    log_contact_attempt(followup, by=crew["worker"], method="visit", outcome=Outcome.REACHED_ENGAGED,
                        naloxone_kits=2, test_strips=10)

    given = NaloxoneDistribution.objects.get(survivor=followup.survivor)
    assert (given.kits, given.test_strips, given.given_by) == (2, 10, crew["worker"])


def test_the_closing_is_proposed_to_the_coordinators_after_the_maximum_attempts(followup, crew, settings):
    settings.FOLLOWUP_MAX_ATTEMPTS = 3
    for outcome in (Outcome.NOT_HOME, Outcome.NO_ANSWER):
        log_contact_attempt(followup, by=crew["worker"], method="visit" if outcome == "not_home" else "phone",
                            outcome=outcome)
    followup.refresh_from_db()
    assert followup.closing_proposed_at is None

    log_contact_attempt(followup, by=crew["worker"], method="phone", outcome=Outcome.VOICEMAIL)

    followup.refresh_from_db()
    assert followup.closing_proposed_at is not None
    assert followup.status == FollowUp.Status.OPEN  # not closed until a coordinator confirms
    proposal = Notification.objects.get(key__startswith=f"followup:{followup.pk}:propose_close")
    assert proposal.user == crew["coordinator"]


def test_the_coordinator_confirms_closing_as_unable_to_reach(followup, crew, settings):
    settings.FOLLOWUP_MAX_ATTEMPTS = 2
    for _ in range(2):
        log_contact_attempt(followup, by=crew["worker"], method="phone", outcome=Outcome.NO_ANSWER)

    confirm_unable_to_reach(followup, by=crew["coordinator"])

    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.CLOSED_UNREACHED
    assert Survivor.objects.get(pk=followup.survivor_id).status == Survivor.Status.UNABLE_TO_REACH
    assert AuditEvent.objects.filter(
        object_id=str(followup.pk), user=crew["coordinator"], detail__contains="unable to reach"
    ).exists()
    assert set(followup.effects.values_list("state", flat=True)) == {"skipped"}


def test_closing_as_unable_to_reach_waits_for_the_maximum_attempts(followup, crew, settings):
    settings.FOLLOWUP_MAX_ATTEMPTS = 5
    log_contact_attempt(followup, by=crew["worker"], method="phone", outcome=Outcome.NO_ANSWER)

    with pytest.raises(ValidationError, match="after 5 attempts"):
        confirm_unable_to_reach(followup, by=crew["coordinator"])
    followup.refresh_from_db()
    assert followup.is_open


def test_a_deceased_outcome_closes_the_followup_and_marks_the_person(followup, crew):
    log_contact_attempt(followup, by=crew["worker"], method="visit", outcome=Outcome.DECEASED)

    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.CLOSED_UNREACHED
    assert Survivor.objects.get(pk=followup.survivor_id).status == Survivor.Status.DECEASED


def test_automatic_assignment_takes_turns_among_the_outreach_workers(team, make_user):
    first = make_user(role="outreach", username="first")
    second = make_user(role="outreach", username="second")

    assert [pick_assignee(team) for _ in range(3)] == [first, second, first]


def test_automatic_assignment_prefers_the_worker_on_call(team, make_user):
    make_user(role="outreach", username="first")
    on_call = make_user(role="outreach", username="on-call")
    team.on_call_worker = on_call
    team.save()

    assert [pick_assignee(team) for _ in range(2)] == [on_call, on_call]


def test_reassignment_is_audited_and_tells_the_new_worker(followup, crew, make_user):
    other = make_user(role="outreach", username="other")

    assign_followup(followup, other, by=crew["coordinator"])

    followup.refresh_from_db()
    assert followup.assigned_to == other
    audit = AuditEvent.objects.get(object_id=str(followup.pk), detail__startswith="assigned from")
    assert audit.detail == f"assigned from user {crew['worker'].pk} to user {other.pk}"
    assert audit.user == crew["coordinator"]
    assert Notification.objects.filter(user=other, key__startswith=f"followup:{followup.pk}:assigned").exists()


def test_a_followup_can_only_go_to_a_member_of_its_team(followup, crew, make_user, other_team):
    stranger = make_user(role="outreach", username="stranger", teams=[other_team])

    with pytest.raises(ValidationError, match="not an outreach worker or coordinator"):
        assign_followup(followup, stranger, by=crew["coordinator"])
    followup.refresh_from_db()
    assert followup.assigned_to == crew["worker"]
