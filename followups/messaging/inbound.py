"""What Twilio tells us: texts from people (replies, STOP/START/HELP) and status callbacks.

Each is applied once: an inbound text is keyed by its MessageSid (unique), and a
status only moves a row forward, so a replayed webhook changes nothing.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from port.accounts.notify import notify_user
from port.audit.services import record_event
from survivors.models import Survivor

from . import wording
from .models import Message, MessageTemplate
from .sending import mark_phone_after_error, record_contact_attempt
from .services import find_template

logger = logging.getLogger(__name__)

OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
OPT_IN_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}

# Twilio's statuses (texts and calls) in ours.
TWILIO_STATUS = {
    "accepted": Message.Status.SENDING,
    "scheduled": Message.Status.SENDING,
    "queued": Message.Status.SENDING,
    "sending": Message.Status.SENDING,
    "initiated": Message.Status.SENDING,
    "ringing": Message.Status.SENDING,
    "sent": Message.Status.SENT,
    "in-progress": Message.Status.SENT,
    "answered": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "read": Message.Status.DELIVERED,
    "completed": Message.Status.DELIVERED,
    "undelivered": Message.Status.UNDELIVERED,
    "busy": Message.Status.UNDELIVERED,
    "no-answer": Message.Status.UNDELIVERED,
    "failed": Message.Status.FAILED,
    "canceled": Message.Status.CANCELLED,
}


def keyword_of(body):
    return (body or "").strip().strip(".!").upper()


def survivor_url(survivor):
    try:
        return reverse("survivors:detail", args=[survivor.pk])
    except NoReverseMatch:
        return reverse("survivors:list")


def match_survivor(number):
    """The person this number belongs to; with several, the one we last wrote to from it."""

    candidates = list(Survivor.objects.active().filter(Q(phone=number) | Q(phone_alt=number)))
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    last = (
        Message.objects.filter(direction=Message.Direction.OUTBOUND, to_number=number, survivor__in=candidates)
        .order_by("-created_at")
        .values_list("survivor_id", flat=True)
        .first()
    )
    by_pk = {s.pk: s for s in candidates}
    return by_pk.get(last) or max(candidates, key=lambda s: s.updated_at)


@transaction.atomic
def receive_text(*, sid, from_number, to_number, body):
    """Store a text from a person once; apply STOP/START; return the HELP answer to reply with, if any."""

    if not sid or Message.objects.filter(twilio_sid=sid).exists():
        return None, ""
    survivor = match_survivor(from_number)
    message = Message(
        direction=Message.Direction.INBOUND,
        channel=Message.Channel.SMS,
        purpose=Message.Purpose.INBOUND,
        status=Message.Status.RECEIVED,
        twilio_sid=sid,
        from_number=from_number,
        to_number=to_number,
        body=body,
        survivor=survivor,
        followup=survivor.followups.filter(status="open").order_by("deadline_at").first() if survivor else None,
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return None, ""  # the same webhook, delivered twice at once
    record_event(None, "message", message, detail="text received")

    keyword = keyword_of(body)
    reply = ""
    if keyword in OPT_OUT_WORDS:
        opt_out(from_number)
        note = "A person opted out of texts (STOP)."
    elif keyword in OPT_IN_WORDS:
        opt_in(from_number)
        note = "A person opted back in to texts (START)."
    elif keyword in HELP_WORDS:
        reply = help_reply(survivor, sid=sid, to_number=from_number, from_number=to_number)
        note = ""
    else:
        note = "New text reply on a survivor's page."
    if survivor is not None and note:
        notify_worker(survivor, message, note)
    return message, reply


def opt_out(number):
    """STOP: no more texts to this number, and texts waiting to go to it are cancelled."""

    now = timezone.now()
    Survivor.objects.filter(phone=number).exclude(phone_status=Survivor.PhoneStatus.OPTED_OUT).update(
        phone_status=Survivor.PhoneStatus.OPTED_OUT, updated_at=now
    )
    Message.objects.filter(
        direction=Message.Direction.OUTBOUND, channel=Message.Channel.SMS, to_number=number,
        status__in=Message.WAITING,
    ).update(status=Message.Status.CANCELLED, error_code="opted_out", updated_at=now)


def opt_in(number):
    Survivor.objects.filter(phone=number, phone_status=Survivor.PhoneStatus.OPTED_OUT).update(
        phone_status=Survivor.PhoneStatus.OK, updated_at=timezone.now()
    )


def help_reply(survivor, *, sid, to_number, from_number):
    """The answer to HELP: the program's name and phone, in the person's language. Recorded as a row."""

    language = survivor.language if survivor else "en"
    template = find_template(MessageTemplate.HELP, MessageTemplate.Channel.SMS, language)
    body = wording.render(template.body, first_name="", language=language)
    if wording.forbidden_words_in(body):
        body = wording.render("{program_name}: {program_phone}", language=language)
    Message.objects.get_or_create(
        idempotency_key=f"help:{sid}",
        defaults={
            "direction": Message.Direction.OUTBOUND,
            "channel": Message.Channel.SMS,
            "purpose": Message.Purpose.REPLY,
            "status": Message.Status.SENT,
            "sent_at": timezone.now(),
            "to_number": to_number,
            "from_number": from_number,
            "body": body,
            "template": template if template.pk else None,
            "survivor": survivor,
        },
    )
    return body


def assigned_worker(survivor):
    """The worker on the person's open follow-up, else on their latest one."""

    followups = survivor.followups.filter(assigned_to__isnull=False, assigned_to__is_active=True).select_related(
        "assigned_to"
    )
    chosen = followups.filter(status="open").order_by("deadline_at").first() or followups.order_by("-target_at").first()
    return chosen.assigned_to if chosen else None


def notify_worker(survivor, message, text):
    worker = assigned_worker(survivor)
    if worker is not None:
        notify_user(worker, key=f"message:{message.pk}", text=text, url=survivor_url(survivor))
        return [worker]
    from followups.effects import coordinators_of

    coordinators = coordinators_of(survivor.team)
    for user in coordinators:
        notify_user(user, key=f"message:{message.pk}:{user.pk}", text=text, url=survivor_url(survivor))
    return coordinators


@transaction.atomic
def record_status(message_id, *, twilio_status, sid="", error_code=""):
    """A status callback for one of our rows. Unknown ids and backward moves change nothing."""

    message = Message.objects.select_for_update().filter(pk=message_id, direction=Message.Direction.OUTBOUND).first()
    if message is None:
        return None
    new = TWILIO_STATUS.get((twilio_status or "").lower())
    fields = []
    if sid and not message.twilio_sid and not Message.objects.filter(twilio_sid=sid).exists():
        message.twilio_sid = sid  # a send that timed out: the callback tells us it went
        fields.append("twilio_sid")
    if new is not None and Message.RANK[new] > Message.RANK[message.status]:
        message.status = new
        fields.append("status")
        if error_code:
            message.error_code = str(error_code)[:10]
            fields.append("error_code")
        if new in (Message.Status.SENT, Message.Status.DELIVERED) and not message.sent_at:
            message.sent_at = timezone.now()
            fields.append("sent_at")
    if fields:
        message.save(update_fields=[*fields, "updated_at"])
        if message.status in (Message.Status.SENT, Message.Status.DELIVERED):
            record_contact_attempt(message.pk)
        if message.status in (Message.Status.FAILED, Message.Status.UNDELIVERED) and error_code:
            mark_phone_after_error(message, str(error_code))
    return message
