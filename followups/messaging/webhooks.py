"""Twilio's webhooks, under /messages/twilio/: incoming texts, status callbacks and call TwiML.

Every one checks X-Twilio-Signature with the SDK's RequestValidator against the public
URL (settings.PUBLIC_BASE_URL + path, never the Host header: we sit behind a proxy).
A bad or missing signature gets 403, is logged without personal data, and stores nothing.
An incoming text longer than Twilio ever delivers is cut, visibly, before it is stored.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from . import inbound
from .models import Message

logger = logging.getLogger(__name__)

# The voice and accent <Say> uses for each language (Amazon Polly voices through Twilio).
VOICES = {"en": ("en-US", "Polly.Joanna"), "es": ("es-US", "Polly.Lupe")}

# Twilio's longest concatenated SMS; a longer Body is not a person's text, and is not stored whole.
INBOUND_TEXT_MAX_CHARS = 1600
TRUNCATED_MARK = " …[truncated]"


def signature_is_valid(request):
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()
    return RequestValidator(token).validate(url, request.POST, signature)


def twilio_webhook(view):
    """Public (no login, no CSRF: Twilio signs instead), POST only, signature checked first."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not signature_is_valid(request):
            logger.warning(
                "twilio webhook refused: %s signature on %s",
                "missing" if "X-Twilio-Signature" not in request.headers else "bad",
                request.path,
            )
            return HttpResponseForbidden("Invalid Twilio signature.")
        return view(request, *args, **kwargs)

    return login_not_required(csrf_exempt(require_POST(checked)))


def twiml(response):
    return HttpResponse(str(response), content_type="text/xml")


def inbound_body(body):
    """The text as stored: at most INBOUND_TEXT_MAX_CHARS, with a mark staff see when it was cut."""

    if len(body) <= INBOUND_TEXT_MAX_CHARS:
        return body
    # Only sizes: the body and the phone number are personal data and never logged.
    logger.warning("twilio incoming text truncated: %d characters, %d kept", len(body), INBOUND_TEXT_MAX_CHARS)
    return body[:INBOUND_TEXT_MAX_CHARS] + TRUNCATED_MARK


@twilio_webhook
def incoming_text(request):
    """The phone number's "A message comes in" webhook."""

    _, reply = inbound.receive_text(
        sid=request.POST.get("MessageSid") or request.POST.get("SmsSid", ""),
        from_number=request.POST.get("From", ""),
        to_number=request.POST.get("To", ""),
        body=inbound_body(request.POST.get("Body", "")),
    )
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return twiml(response)


@twilio_webhook
def status_callback(request, message_id):
    """Set per message (the row's UUID is in the URL). Always 200, so Twilio never retries forever."""

    inbound.record_status(
        message_id,
        twilio_status=request.POST.get("MessageStatus") or request.POST.get("CallStatus", ""),
        sid=request.POST.get("MessageSid") or request.POST.get("CallSid", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse("", content_type="text/plain")


def _voice_call(message_id, purpose):
    return (
        Message.objects.select_related("survivor", "template")
        .filter(pk=message_id, channel=Message.Channel.VOICE, purpose=purpose)
        .first()
    )


@twilio_webhook
def voice_message(request, message_id):
    """The automated voice message, spoken twice in the person's language."""

    message = _voice_call(message_id, Message.Purpose.FALLBACK)
    response = VoiceResponse()
    if message is None or not message.body:
        response.hangup()
        return twiml(response)
    language = message.template.language if message.template else getattr(message.survivor, "language", "en")
    accent, voice = VOICES.get(language, VOICES["en"])
    response.pause(length=1)
    response.say(message.body, language=accent, voice=voice)
    response.pause(length=1)
    response.say(message.body, language=accent, voice=voice)
    return twiml(response)


@twilio_webhook
def voice_bridge(request, message_id):
    """Click-to-call, once the worker answers: connect the person, showing the program's number."""

    message = _voice_call(message_id, Message.Purpose.BRIDGE)
    response = VoiceResponse()
    if message is None or not message.to_number:
        response.hangup()
        return twiml(response)
    # Only the worker hears this; the person sees and hears the program's number ring.
    response.say("Connecting your call.", language=VOICES["en"][0], voice=VOICES["en"][1])
    dial = response.dial(caller_id=settings.TWILIO_FROM_NUMBER or None)
    dial.number(message.to_number)
    return twiml(response)
