"""Writes for messages: the fallback rule, staff texts, one-off texts and click-to-call.

Every outbound message is a row first (design.md, "Messages"), written in the caller's
transaction with an idempotency key; the send is enqueued only once that transaction
commits. Quiet hours defer a message to the morning (status `deferred`); the periodic
task sends it then. Nothing here logs a body or a phone number.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from port.audit.models import AuditEvent
from port.audit.services import build_event, record_event
from survivors.models import Survivor

from . import wording
from .defaults import default_body
from .models import TEMPLATE_LANGUAGES, Message, MessageTemplate, e164
from .quiet_hours import quiet_until

logger = logging.getLogger(__name__)

# A survivor with one of these statuses gets no automatic contact.
NO_CONTACT_STATUSES = (Survivor.Status.DECEASED, Survivor.Status.DECLINED)


class CannotSend(Exception):
    """A message that may not go out, with a reason staff can act on."""


def fallback_channel(survivor):
    """The fallback for this person: a text, an automated voice message, or None (and why)."""

    if survivor is None:
        return None, "There is no person on this follow-up."
    if survivor.status in NO_CONTACT_STATUSES:
        return None, f"No automatic contact: the person's status is “{survivor.get_status_display()}”."
    if survivor.can_receive_texts:
        return Message.Channel.SMS, ""
    if not survivor.phone:
        return None, "No phone number on file."
    if survivor.phone_status == Survivor.PhoneStatus.INVALID:
        return None, "The phone number is marked invalid."
    if survivor.phone_status == Survivor.PhoneStatus.OPTED_OUT:
        return None, "The person opted out of texts (STOP): call them yourself."
    if settings.FALLBACK_VOICE_MESSAGES and survivor.safe_voicemail:
        return Message.Channel.VOICE, ""
    return None, "Not marked safe to text or safe for a voice message: call them yourself."


def find_template(name, channel, language):
    """The active template in the person's language, else in English, else the built-in text (unsaved)."""

    language = language if language in dict(TEMPLATE_LANGUAGES) else "en"
    templates = {
        t.language: t
        for t in MessageTemplate.objects.filter(name=name, channel=channel, active=True, language__in=[language, "en"])
    }
    template = templates.get(language) or templates.get("en")
    if template is not None:
        return template
    body = default_body(name, channel, language)
    return MessageTemplate(name=name, channel=channel, language=language, body=body) if body else None


def _worker_first_name(user):
    return (user.first_name or "").strip() if user is not None else ""


def render_template(template, survivor, *, worker=None):
    language = template.language
    body = wording.render(
        template.body,
        first_name=survivor.first_name_for_messages,
        worker_name=_worker_first_name(worker),
        language=language,
        for_voice=template.channel == MessageTemplate.Channel.VOICE,
    )
    words = wording.forbidden_words_in(body)
    if words:
        # A name or the program's name brought in a forbidden word: never send it.
        raise CannotSend(wording.forbidden_words_message(words))
    return body


def create_outbound(*, idempotency_key, respect_quiet_hours=True, **fields):
    """Write one outbound row (or return the one this key already made), and enqueue its send on commit."""

    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    message = new_outbound(idempotency_key=idempotency_key, respect_quiet_hours=respect_quiet_hours, **fields)
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # Another transaction wrote this key first (it committed while we waited on the index).
        return Message.objects.get(idempotency_key=idempotency_key), False
    if message.status == Message.Status.QUEUED:
        transaction.on_commit(partial(enqueue_send, message.pk))
    return message, True


def new_outbound(*, idempotency_key, respect_quiet_hours=True, now=None, **fields):
    """An unsaved outbound row: queued to send now, or deferred to the end of quiet hours."""

    now = now or timezone.now()
    wait_until = quiet_until(now) if respect_quiet_hours else None
    return Message(
        direction=Message.Direction.OUTBOUND,
        idempotency_key=idempotency_key,
        status=Message.Status.DEFERRED if wait_until else Message.Status.QUEUED,
        send_after=wait_until,
        enqueued_at=None if wait_until else now,
        **fields,
    )


def enqueue_send(message_id):
    """Hand a row to a worker. If the broker is down, the periodic task picks the row up later."""

    from .tasks import send_message

    try:
        send_message.delay(str(message_id))
    except Exception:  # noqa: BLE001 - the periodic task is the retry
        logger.exception("messaging: could not enqueue message %s", message_id)


def queue_fallback_contact(followup, *, reason, stage, by=None, request=None):
    """The fallback when a visit isn't possible or nobody was reached by the warning point.

    A text if the person can receive texts; else an automated voice message where the
    program allows it and it is safe to leave one; else nothing (returns None: a worker
    calls by hand). Once per follow-up and stage, whatever calls it and however often.
    """

    key = fallback_key(followup, stage)
    existing = Message.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if not followup.is_open:
        return None
    fields, why_not = compose_fallback(followup, by=by)
    if why_not:
        record_event(request, "message", followup, user=by, detail=fallback_not_sent(stage, reason, why_not))
        return None
    if fields is None:
        return None
    message, created = create_outbound(idempotency_key=key, **fields)
    if created:
        record_event(request, "message", message, user=by, detail=fallback_queued(message, stage, reason))
    return message


def queue_fallback_contacts(followups, *, reason, stage):
    """`queue_fallback_contact` for many follow-ups at once, by the scheduler (the sweep's batches).

    The same rules and rows, in a few statements for the lot: one read of the keys already
    used, one insert of the messages and one of their audit rows. If another transaction
    writes one of the keys meanwhile, the lot is queued one follow-up at a time instead.
    Returns the messages it queued.
    """

    keys = {followup.pk: fallback_key(followup, stage) for followup in followups}
    used = set(Message.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", flat=True))
    templates, now = {}, timezone.now()
    messages, audits = [], []

    def find(name, channel, language):
        if (name, channel, language) not in templates:
            templates[name, channel, language] = find_template(name, channel, language)
        return templates[name, channel, language]

    for followup in followups:
        if keys[followup.pk] in used or not followup.is_open:
            continue
        fields, why_not = compose_fallback(followup, find=find)
        if why_not:
            audits.append(build_event(None, "message", followup, detail=fallback_not_sent(stage, reason, why_not)))
        elif fields is not None:
            messages.append(new_outbound(idempotency_key=keys[followup.pk], now=now, **fields))
    if messages:
        try:
            with transaction.atomic():
                Message.objects.bulk_create(messages)
        except IntegrityError:
            return [queue_fallback_contact(followup, reason=reason, stage=stage) for followup in followups]
    audits += [build_event(None, "message", m, detail=fallback_queued(m, stage, reason)) for m in messages]
    AuditEvent.objects.bulk_create(audits)
    for message in messages:
        if message.status == Message.Status.QUEUED:
            transaction.on_commit(partial(enqueue_send, message.pk))
    return messages


def fallback_key(followup, stage):
    return f"fallback:{followup.pk}:{stage}"


def compose_fallback(followup, *, by=None, find=find_template):
    """The fallback's message fields for an open follow-up, or (None, why not) when it has none.

    A missing template or a forbidden word is logged (an admin must fix it) and gives (None, "").
    """

    survivor = followup.survivor
    channel, why_not = fallback_channel(survivor)
    if channel is None:
        return None, why_not
    template = find(MessageTemplate.FALLBACK, channel, survivor.language)
    if template is None:
        logger.error("messaging: no active %s fallback template; follow-up %s got none", channel, followup.pk)
        return None, ""
    try:
        body = render_template(template, survivor, worker=by or followup.assigned_to)
    except CannotSend:
        logger.error("messaging: the %s fallback for follow-up %s has a forbidden word", channel, followup.pk)
        return None, ""
    fields = {
        "channel": channel,
        "purpose": Message.Purpose.FALLBACK,
        "to_number": e164(survivor.phone),
        "template": template if template.pk else None,
        "body": body,
        "survivor": survivor,
        "followup": followup,
        "sent_by": by,
    }
    return fields, ""


def fallback_not_sent(stage, reason, why_not):
    return f"fallback {stage} not sent: {reason}; {why_not}"[:300]


def fallback_queued(message, stage, reason):
    return f"fallback {message.channel} queued ({stage}: {reason})"[:300]


def queue_staff_text(user, *, text, key):
    """A notification text to a staff member's own phone, once per key. No quiet hours: they chose it."""

    if user is None or not user.phone:
        return None
    body = f"{settings.PROGRAM_NAME}: {text}"
    if wording.forbidden_words_in(body):
        # Someone else may read a staff phone too: say only that there is something to look at.
        body = f"{settings.PROGRAM_NAME}: you have a new notification."
    message, _ = create_outbound(
        idempotency_key=key[:200],
        respect_quiet_hours=False,
        channel=Message.Channel.SMS,
        purpose=Message.Purpose.STAFF,
        to_number=e164(user.phone),
        body=body[:480],
        recipient_user=user,
    )
    return message


def open_followup_of(survivor):
    return survivor.followups.filter(status="open").order_by("deadline_at").first()


@transaction.atomic
def queue_one_off_text(survivor, *, by, body, token, template=None, request=None):
    """A text a staff member wrote (or picked) on the survivor's page; `token` makes a double tap send once."""

    if not survivor.can_receive_texts:
        raise CannotSend(fallback_channel(survivor)[1] or "This person can't receive texts.")
    words = wording.forbidden_words_in(body)
    if words:
        raise CannotSend(wording.forbidden_words_message(words))
    message, created = create_outbound(
        idempotency_key=f"one_off:{token}",
        channel=Message.Channel.SMS,
        purpose=Message.Purpose.ONE_OFF,
        to_number=e164(survivor.phone),
        template=template,
        body=body,
        survivor=survivor,
        followup=open_followup_of(survivor),
        sent_by=by,
    )
    if created:
        record_event(request, "message", message, user=by, detail="text queued from the survivor page")
    return message


@transaction.atomic
def start_bridge_call(survivor, *, by, request=None):
    """Click-to-call: Twilio rings the worker's phone, then connects the person from the program's number."""

    if not by.phone:
        raise CannotSend("Your profile has no phone number for Twilio to ring first: ask an admin to add it.")
    if not survivor.phone:
        raise CannotSend("No phone number on file.")
    if survivor.phone_status == Survivor.PhoneStatus.INVALID:
        raise CannotSend("The phone number is marked invalid.")
    minute = int(timezone.now().timestamp() // 60)
    message, created = create_outbound(
        # A double tap within the same minute calls once.
        idempotency_key=f"bridge:{survivor.pk}:{by.pk}:{minute}",
        respect_quiet_hours=False,
        channel=Message.Channel.VOICE,
        purpose=Message.Purpose.BRIDGE,
        to_number=e164(survivor.phone),
        survivor=survivor,
        followup=open_followup_of(survivor),
        sent_by=by,
    )
    if created:
        record_event(request, "message", message, user=by, detail="call through the program's number")
    return message
