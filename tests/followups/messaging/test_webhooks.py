"""Twilio's webhooks: replies land on the survivor's page, STOP/START/HELP, callbacks, signatures, replays."""

import logging

import pytest

from followups.messaging import sending
from followups.messaging.models import Message
from followups.messaging.services import queue_fallback_contact
from port.accounts.models import Notification
from tests.fake_twilio import FROM_NUMBER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("templates", "afternoon", "twilio_settings")]

SMS_URL = "/messages/twilio/sms/"


def text_from(number, body, sid="SM" + "a" * 32):
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32, "From": number, "To": FROM_NUMBER,
            "Body": body, "NumMedia": "0"}


def conversation(client, login, user, survivor):
    login(user)
    return client.get(f"/messages/survivor/{survivor.pk}/").content.decode()


def test_a_reply_lands_on_the_survivors_page_and_notifies_the_worker(
    client, login, signed_post, followup, survivor, worker
):
    response = signed_post(SMS_URL, text_from("+12025550142", "Thanks, call me after 3?"))
    assert response.status_code == 200
    assert response.content.decode().endswith("<Response />")  # nothing said back

    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.survivor == survivor and message.followup == followup
    notification = Notification.objects.get(user=worker)
    assert "Thanks" not in notification.text and "Maria" not in notification.text  # no personal data
    assert "Thanks, call me after 3?" in conversation(client, login, worker, survivor)


def test_a_text_longer_than_twilio_sends_is_cut_and_marked_on_the_page(client, login, signed_post, followup, survivor,
                                                                       worker):
    signed_post(SMS_URL, text_from("+12025550142", "a" * 1600, sid="SM" + "1" * 32))
    signed_post(SMS_URL, text_from("+12025550142", "b" * 1601, sid="SM" + "2" * 32))

    whole, cut = (Message.objects.get(twilio_sid="SM" + c * 32).body for c in "12")
    assert whole == "a" * 1600  # Twilio's longest concatenated text is kept as it is
    assert cut == "b" * 1600 + " …[truncated]"
    page = conversation(client, login, worker, survivor)
    assert "b" * 1600 + " …[truncated]" in page


@pytest.mark.parametrize("word", ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "stop", " Stop. "])
def test_each_opt_out_word_stops_texts_and_shows_on_the_page(
    client, login, signed_post, followup, survivor, worker, word
):
    waiting = queue_fallback_contact(followup, reason="test", stage="visit")
    signed_post(SMS_URL, text_from("+12025550142", word))

    survivor.refresh_from_db()
    assert survivor.phone_status == "opted_out" and not survivor.can_receive_texts
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.CANCELLED
    page = conversation(client, login, worker, survivor)
    assert "Opted out of texts (STOP)" in page and 'data-testid="text-form"' not in page


@pytest.mark.parametrize("word", ["START", "UNSTOP"])
def test_start_opts_back_in(signed_post, survivor, word):
    signed_post(SMS_URL, text_from("+12025550142", "STOP", sid="SM" + "1" * 32))
    signed_post(SMS_URL, text_from("+12025550142", word, sid="SM" + "2" * 32))
    survivor.refresh_from_db()
    assert survivor.phone_status == "ok" and survivor.can_receive_texts


def test_help_answers_with_the_programs_name_and_phone_in_the_persons_language(signed_post, survivor):
    survivor.language = "es"
    survivor.save()
    twiml = signed_post(SMS_URL, text_from("+12025550142", "help")).content.decode()
    assert "<Message>Community Outreach Program: llame o escríbanos al (202) 555-0123." in twiml
    reply = Message.objects.get(purpose=Message.Purpose.REPLY)
    assert reply.survivor == survivor and reply.to_number == "+12025550142"


def test_a_replayed_webhook_changes_nothing_the_second_time(signed_post, followup, worker):
    params = text_from("+12025550142", "Who is this?")
    signed_post(SMS_URL, params)
    second = signed_post(SMS_URL, params)
    assert second.status_code == 200
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1
    assert Notification.objects.filter(user=worker).count() == 1


@pytest.mark.parametrize("signature", ["", "forged-signature="])
def test_a_forged_or_missing_signature_gets_403_and_stores_nothing(signed_post, survivor, caplog, signature):
    caplog.set_level(logging.WARNING)
    response = signed_post(SMS_URL, text_from("+12025550142", "STOP"), signature=signature)
    assert response.status_code == 403
    assert not Message.objects.exists()
    survivor.refresh_from_db()
    assert survivor.phone_status == "ok"
    assert "twilio webhook refused" in caplog.text and "5550142" not in caplog.text and "STOP" not in caplog.text


def test_a_signature_made_with_another_token_is_refused(signed_post, survivor):
    response = signed_post(SMS_URL, text_from("+12025550142", "hi"), token="someone-elses-token")
    assert response.status_code == 403 and not Message.objects.exists()


def test_the_signature_is_checked_against_the_public_url_not_the_host_header(client, twilio_settings):
    from twilio.request_validator import RequestValidator

    params = text_from("+12025550142", "hi")
    as_seen_by_django = RequestValidator(twilio_settings.TWILIO_AUTH_TOKEN).compute_signature(
        f"http://testserver{SMS_URL}", params
    )
    assert client.post(SMS_URL, params, HTTP_X_TWILIO_SIGNATURE=as_seen_by_django).status_code == 403


def test_status_callbacks_only_move_a_message_forward(fake_twilio, signed_post, followup):
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    sending.send_message(message.pk)
    url = f"/messages/twilio/status/{message.pk}/"
    sid = fake_twilio.requests[0].sid

    signed_post(url, {"MessageSid": sid, "MessageStatus": "delivered"})
    signed_post(url, {"MessageSid": sid, "MessageStatus": "sent"})  # late, out of order
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED


def test_an_undelivered_text_says_why_on_the_page(client, login, fake_twilio, signed_post, followup, worker):
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    sending.send_message(message.pk)
    signed_post(
        f"/messages/twilio/status/{message.pk}/",
        {"MessageSid": fake_twilio.requests[0].sid, "MessageStatus": "undelivered", "ErrorCode": "30003"},
    )
    page = conversation(client, login, worker, followup.survivor)
    assert "Undelivered" in page and "The phone is off or out of reach." in page


def test_an_unsubscribed_error_in_a_callback_opts_the_number_out(fake_twilio, signed_post, followup):
    message = queue_fallback_contact(followup, reason="test", stage="visit")
    sending.send_message(message.pk)
    signed_post(
        f"/messages/twilio/status/{message.pk}/",
        {"MessageSid": fake_twilio.requests[0].sid, "MessageStatus": "failed", "ErrorCode": "21610"},
    )
    followup.survivor.refresh_from_db()
    assert followup.survivor.phone_status == "opted_out"


def test_a_callback_for_an_unknown_message_gets_200(signed_post):
    response = signed_post(
        "/messages/twilio/status/00000000-0000-0000-0000-000000000000/",
        {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered"},
    )
    assert response.status_code == 200


def test_call_statuses_settle_a_voice_message(fake_twilio, signed_post, followup):
    survivor = followup.survivor
    survivor.safe_to_text, survivor.safe_voicemail = False, True
    survivor.save()
    message = queue_fallback_contact(followup, reason="test", stage="warning")
    sending.send_message(message.pk)
    for status in ("ringing", "in-progress", "completed"):
        signed_post(f"/messages/twilio/status/{message.pk}/", {"CallSid": fake_twilio.requests[0].sid,
                                                                 "CallStatus": status})
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
