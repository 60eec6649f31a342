"""Where messages go, chosen by settings.MESSAGING_BACKEND (like Django's email backends).

A backend makes at most one API call per message and reports the outcome as a `Sent`
result or one of three errors; the sending service decides what each means for the row.
Nothing here logs a body or a phone number.
"""

from dataclasses import dataclass

import requests
from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError


@dataclass(frozen=True)
class Sent:
    sid: str


class SendError(Exception):
    def __init__(self, code="", status=None):
        super().__init__(f"status {status} code {code}")
        self.code = str(code or "")
        self.status = status


class TemporaryError(SendError):
    """Nothing was sent (429, 5xx, no connection): safe to try again later."""


class PermanentError(SendError):
    """Twilio refused the message (e.g. 21610 unsubscribed, 21211 invalid number): never retried."""


class UnknownOutcome(SendError):
    """The request may have reached Twilio (a read timeout): wait for the status callback, never resend."""


class ConfigurationError(PermanentError):
    pass


def public_url(name, *args):
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name, args=args)


def status_callback_url(message):
    return public_url("messaging:twilio_status", message.pk)


class DatabaseBackend:
    """Development and the demo: the row is the record; nothing is called, nothing is charged."""

    def send_text(self, message):
        return Sent(sid=f"DB{message.pk.hex}")

    def start_call(self, message, *, to, twiml_url):
        return Sent(sid=f"DB{message.pk.hex}")


class TwilioBackend:
    """Texts and calls through Twilio's REST API with the official SDK and an explicit timeout."""

    def client(self):
        http_client = PortTwilioHttpClient(
            timeout=settings.TWILIO_HTTP_TIMEOUT_SECONDS, api_base_url=settings.TWILIO_API_BASE_URL
        )
        account = settings.TWILIO_ACCOUNT_SID
        if not account:
            raise ConfigurationError("config")
        if settings.TWILIO_API_KEY_SID and settings.TWILIO_API_KEY_SECRET:
            return Client(
                settings.TWILIO_API_KEY_SID, settings.TWILIO_API_KEY_SECRET, account, http_client=http_client
            )
        if not settings.TWILIO_AUTH_TOKEN:
            raise ConfigurationError("config")
        return Client(account, settings.TWILIO_AUTH_TOKEN, account, http_client=http_client)

    def send_text(self, message):
        params = {"to": message.to_number, "body": message.body, "status_callback": status_callback_url(message)}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        elif settings.TWILIO_FROM_NUMBER:
            params["from_"] = settings.TWILIO_FROM_NUMBER
        else:
            raise ConfigurationError("config")
        return Sent(sid=self._call(lambda client: client.messages.create(**params)).sid)

    def start_call(self, message, *, to, twiml_url):
        if not settings.TWILIO_FROM_NUMBER:
            raise ConfigurationError("config")
        params = {
            "to": to,
            "from_": settings.TWILIO_FROM_NUMBER,
            "url": twiml_url,
            "method": "POST",
            "status_callback": status_callback_url(message),
            "status_callback_method": "POST",
            "status_callback_event": ["initiated", "ringing", "answered", "completed"],
        }
        return Sent(sid=self._call(lambda client: client.calls.create(**params)).sid)

    def _call(self, create):
        try:
            return create(self.client())
        except TwilioRestException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise TemporaryError(exc.code, exc.status) from None
            raise PermanentError(exc.code, exc.status) from None
        except requests.ConnectionError as exc:
            if _never_connected(exc):
                raise TemporaryError("connect") from None
            raise UnknownOutcome("connection") from None
        except requests.RequestException:
            # A read timeout: Twilio may have the message already. The callback will tell.
            raise UnknownOutcome("timeout") from None


def _never_connected(exc):
    """Refused or timed out while connecting: nothing reached Twilio, so a retry is safe."""

    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


class PortTwilioHttpClient(TwilioHttpClient):
    """The SDK's own requests-based client; `api_base_url` points it at a mock (tests, Twilio's mock)."""

    def __init__(self, *, timeout, api_base_url=""):
        super().__init__(timeout=timeout)
        self.api_base_url = api_base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if self.api_base_url:
            path = url.partition("://")[2].partition("/")[2]
            url = f"{self.api_base_url}/{path}"
        return super().request(method, url, *args, **kwargs)


def get_backend():
    return import_string(settings.MESSAGING_BACKEND)()
