"""Sending one row: claim it, make at most one API call, record what Twilio said.

The claim is a conditional update (queued/deferred and due -> sending, with a token),
so two workers never send the same row. Twilio's answer moves the row forward only:
sent on success; back to queued with a short backoff on 429/5xx/no connection; failed
on a refusal (21610 opts the number out, 21211/21614 mark it invalid); `unknown` on a
timeout, to be reconciled by the status callback and never resent blindly.
"""

import logging
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from survivors.models import Survivor

from .backends import ConfigurationError, PermanentError, TemporaryError, UnknownOutcome, get_backend, public_url
from .models import Message, e164
from .quiet_hours import quiet_until

logger = logging.getLogger(__name__)

Status = Message.Status
# 429/5xx: tried this many times in all, waiting 30 s, 1, 2, 4 minutes (never more than MAX_BACKOFF).
MAX_TRIES = 5
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=5)
OPT_OUT_CODES = {"21610"}
INVALID_NUMBER_CODES = {"21211", "21614"}
LOCK_KEY = "messaging:send_due:lock"
LOCK_SECONDS = 55


def backoff(tries):
    return min(FIRST_BACKOFF * (2 ** max(tries - 1, 0)), MAX_BACKOFF)


def send_message(message_id):
    """The worker's job for one row. Safe to run twice: only the claim holder calls Twilio."""

    token = claim(message_id)
    if token is None:
        return None
    message = Message.objects.select_related("survivor", "sent_by").get(pk=message_id)
    backend = get_backend()
    try:
        if message.channel == Message.Channel.SMS:
            result = backend.send_text(message)
        else:
            to, twiml_url = call_plan(message)
            result = backend.start_call(message, to=to, twiml_url=twiml_url)
    except TemporaryError as exc:
        return retry_later(message, token, exc.code or str(exc.status or ""))
    except ConfigurationError:
        logger.error("messaging: Twilio is not configured (see README); message %s not sent", message_id)
        return finish(message, token, Status.FAILED, error_code="config")
    except PermanentError as exc:
        return refused(message, token, exc.code or str(exc.status or ""))
    except UnknownOutcome:
        logger.warning("messaging: no answer from Twilio for message %s; waiting for its callback", message_id)
        return finish(message, token, Status.UNKNOWN)
    return accepted(message, token, result.sid)


def claim(message_id, now=None):
    """Take the row for sending. Returns the claim token, or None if it isn't ours to send (yet)."""

    now = now or timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("survivor")
            .filter(pk=message_id, direction=Message.Direction.OUTBOUND, status__in=Message.WAITING)
            .first()
        )
        if message is None or (message.send_after and message.send_after > now):
            return None
        why_not = still_allowed(message)
        if why_not:
            message.status, message.error_code = Status.CANCELLED, why_not
            message.save(update_fields=["status", "error_code", "updated_at"])
            return None
        wait_until = quiet_until(now) if respects_quiet_hours(message) else None
        if wait_until:
            message.status, message.send_after, message.enqueued_at = Status.DEFERRED, wait_until, None
            message.save(update_fields=["status", "send_after", "enqueued_at", "updated_at"])
            return None
        token = uuid.uuid4()
        message.status, message.claim_token, message.claimed_at = Status.SENDING, token, now
        message.tries += 1
        message.save(update_fields=["status", "claim_token", "claimed_at", "tries", "updated_at"])
        return token


def respects_quiet_hours(message):
    return message.survivor_id is not None and message.purpose != Message.Purpose.BRIDGE


def still_allowed(message):
    """Re-checked at send time: an opt-out or a bad number since the row was written stops it."""

    survivor = message.survivor
    if survivor is None or message.purpose == Message.Purpose.BRIDGE:
        return ""
    if e164(survivor.phone) != message.to_number:
        return "number_changed"
    if survivor.phone_status == Survivor.PhoneStatus.OPTED_OUT:
        return "opted_out"
    if survivor.phone_status == Survivor.PhoneStatus.INVALID:
        return "invalid"
    if message.channel == Message.Channel.SMS and not survivor.safe_to_text:
        return "not_safe"
    if message.channel == Message.Channel.VOICE and not survivor.safe_voicemail:
        return "not_safe"
    return ""


def call_plan(message):
    """Who Twilio rings, and the TwiML it fetches when they answer."""

    if message.purpose == Message.Purpose.BRIDGE:
        worker_phone = e164(message.sent_by.phone) if message.sent_by else ""
        if not worker_phone:
            raise PermanentError("no_worker_phone")
        return worker_phone, public_url("messaging:twilio_voice_bridge", message.pk)
    return message.to_number, public_url("messaging:twilio_voice_message", message.pk)


def _ours(message, token):
    # UNKNOWN too: a slow send the periodic task gave up on is still ours to settle.
    return Message.objects.filter(pk=message.pk, claim_token=token, status__in=[Status.SENDING, Status.UNKNOWN])


@transaction.atomic
def accepted(message, token, sid):
    now = timezone.now()
    # The callback may have come first (and set the SID and a later status): keep what it said.
    Message.objects.filter(pk=message.pk, twilio_sid__isnull=True).update(twilio_sid=sid)
    moved = _ours(message, token).update(status=Status.SENT, sent_at=now, updated_at=now)
    Message.objects.filter(pk=message.pk, sent_at__isnull=True).update(sent_at=now)
    record_contact_attempt(message.pk)
    return Status.SENT if moved else None


def finish(message, token, status, error_code=""):
    _ours(message, token).update(status=status, error_code=error_code, updated_at=timezone.now())
    return status


def retry_later(message, token, code):
    if message.tries >= MAX_TRIES:
        logger.error("messaging: Twilio unavailable after %s tries; message %s failed", message.tries, message.pk)
        return finish(message, token, Status.FAILED, error_code=code)
    _ours(message, token).update(
        status=Status.QUEUED,
        error_code=code,
        send_after=timezone.now() + backoff(message.tries),
        enqueued_at=None,
        updated_at=timezone.now(),
    )
    logger.warning("messaging: Twilio busy (%s); message %s will be retried", code, message.pk)
    return Status.QUEUED


@transaction.atomic
def refused(message, token, code):
    finish(message, token, Status.FAILED, error_code=code)
    mark_phone_after_error(message, code)
    return Status.FAILED


def mark_phone_after_error(message, code):
    """21610: the person texted STOP to us; 21211/21614: not a (mobile) number. Never retried."""

    if message.survivor_id is None or message.purpose == Message.Purpose.BRIDGE:
        return
    if code in OPT_OUT_CODES:
        status = Survivor.PhoneStatus.OPTED_OUT
    elif code in INVALID_NUMBER_CODES:
        status = Survivor.PhoneStatus.INVALID
    else:
        return
    Survivor.objects.filter(pk=message.survivor_id, phone=message.to_number).exclude(phone_status=status).update(
        phone_status=status, updated_at=timezone.now()
    )


def record_contact_attempt(message_id):
    """A fallback or staff text that went out counts as a contact attempt on its open follow-up (once)."""

    from followups.models import ContactAttempt
    from followups.services import log_contact_attempt

    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("followup", "sent_by")
        .filter(pk=message_id, contact_attempt__isnull=True, followup__isnull=False)
        .exclude(purpose=Message.Purpose.BRIDGE)
        .first()
    )
    if message is None or not message.followup.is_open:
        return None
    method = ContactAttempt.Method.TEXT if message.channel == Message.Channel.SMS else ContactAttempt.Method.VOICE
    attempt = log_contact_attempt(
        message.followup, by=message.sent_by, method=method, outcome=ContactAttempt.Outcome.SENT,
        at=message.sent_at or timezone.now(),
    )
    Message.objects.filter(pk=message.pk).update(contact_attempt=attempt)
    return attempt


def send_due_messages(now=None):
    """The periodic task: hand due rows to workers and give up on sends left half-done by a dead worker."""

    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS):
        return 0
    try:
        now = now or timezone.now()
        mark_stale_sends_unknown(now)
        return enqueue_due(now)
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def enqueue_due(now):
    stale = now - timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES)
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(direction=Message.Direction.OUTBOUND, status__in=Message.WAITING)
            .filter(Q(send_after__isnull=True) | Q(send_after__lte=now))
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale))
            .order_by("created_at")
            .values_list("pk", flat=True)[: settings.SWEEP_BATCH_SIZE]
        )
        Message.objects.filter(pk__in=ids).update(enqueued_at=now)
        from .services import enqueue_send

        for pk in ids:
            transaction.on_commit(partial(enqueue_send, pk))
    return len(ids)


def mark_stale_sends_unknown(now):
    """A worker died mid-send: Twilio may or may not have the message. Say so; the callback will tell."""

    stale = now - timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES)
    count = Message.objects.filter(status=Status.SENDING, claimed_at__lt=stale).update(
        status=Status.UNKNOWN, updated_at=now
    )
    if count:
        logger.warning("messaging: %s sends were left half-done; marked unknown", count)
    return count
