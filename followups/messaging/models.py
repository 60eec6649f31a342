"""Texts and calls: a row is written before Twilio is called, and only moves forward."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from port.accounts.scoping import ScopedQuerySet
from port.crypto import EncryptedTextField
from survivors.models import Language

from .wording import (
    forbidden_words_in,
    forbidden_words_message,
    unknown_placeholders_in,
    unknown_placeholders_message,
)


def e164(phone):
    """A PhoneNumberField value as Twilio wants it (+12025550100); str() would give the national format."""

    return phone.as_e164 if phone else ""


TEMPLATE_LANGUAGES = [(code, label) for code, label in Language.choices if code != Language.OTHER]


class MessageTemplate(models.Model):
    """A text or voice message staff manage (admin); `fallback` and `help` are used automatically."""

    FALLBACK = "fallback"
    HELP = "help"

    class Channel(models.TextChoices):
        SMS = "sms", "Text"
        VOICE = "voice", "Voice message"

    name = models.CharField(
        max_length=100,
        help_text="“fallback”: sent when a visit isn't possible; “help”: the answer to HELP; "
        "any other name is offered to staff on the survivor page.",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SMS)
    language = models.CharField(max_length=10, choices=TEMPLATE_LANGUAGES, default=Language.ENGLISH)
    body = models.TextField(help_text="Placeholders: {first_name}, {worker_name}, {program_phone}, {program_name}.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["name", "channel", "language"], name="one_template_per_language")
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"

    def clean(self):
        errors = []
        words = forbidden_words_in(self.body or "")
        if words:
            errors.append(forbidden_words_message(words))
        unknown = unknown_placeholders_in(self.body or "")
        if unknown:
            errors.append(unknown_placeholders_message(unknown))
        if errors:
            raise ValidationError({"body": errors})


ERROR_NOTES = {
    "21610": "The person replied STOP: no more texts.",
    "21211": "Not a valid phone number.",
    "21614": "Not a mobile number: it can't get texts.",
    "30003": "The phone is off or out of reach.",
    "30005": "Unknown number, or it no longer exists.",
    "30006": "A landline or a number that can't get texts.",
    "30007": "The carrier filtered the text.",
    "opted_out": "Cancelled: the person opted out (STOP).",
    "invalid": "Cancelled: the number is marked invalid.",
    "not_safe": "Cancelled: no longer marked safe to text or for a voice message.",
    "number_changed": "Cancelled: the phone number changed.",
    "config": "Twilio isn't set up (see the README).",
    "no_worker_phone": "Your profile has no phone number.",
}


class MessageQuerySet(ScopedQuerySet):
    team_path = "survivor__team"


class Message(models.Model):
    class Direction(models.TextChoices):
        OUTBOUND = "out", "Outbound"
        INBOUND = "in", "Inbound"

    class Channel(models.TextChoices):
        SMS = "sms", "Text"
        VOICE = "voice", "Call"

    class Purpose(models.TextChoices):
        FALLBACK = "fallback", "Fallback contact"
        ONE_OFF = "one_off", "Text from staff"
        BRIDGE = "bridge", "Call through the program's number"
        REPLY = "reply", "Automatic reply"
        INBOUND = "inbound", "Reply from the person"
        STAFF = "staff", "Staff notification"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DEFERRED = "deferred", "Deferred (quiet hours)"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        UNDELIVERED = "undelivered", "Undelivered"
        UNKNOWN = "unknown", "Unknown (awaiting Twilio)"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.OUTBOUND)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SMS)
    to_number = models.CharField(max_length=20)
    from_number = models.CharField(max_length=20, blank=True)
    template = models.ForeignKey(MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.FALLBACK)
    body = EncryptedTextField(blank=True, help_text="Encrypted at rest; never logged.")
    twilio_sid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    error_code = models.CharField(max_length=10, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    survivor = models.ForeignKey(
        "survivors.Survivor", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    followup = models.ForeignKey(
        "followups.FollowUp", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Empty when the scheduler sent it.",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The staff member a notification text went to.",
    )
    contact_attempt = models.OneToOneField(
        "followups.ContactAttempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="message",
        help_text="The contact attempt this message counts as, once it went out.",
    )
    send_after = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    # The claim discipline of design.md: who is sending the row now, and since when.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["survivor", "created_at"]), models.Index(fields=["status", "send_after"])]

    def __str__(self):
        return f"{self.get_direction_display()} {self.get_channel_display()} {self.pk}"

    # Status only moves forward: a late or replayed callback never undoes a later one.
    RANK = {
        Status.QUEUED: 0, Status.DEFERRED: 0, Status.SENDING: 1, Status.UNKNOWN: 1, Status.SENT: 2,
        Status.RECEIVED: 3, Status.DELIVERED: 3, Status.FAILED: 3, Status.UNDELIVERED: 3, Status.CANCELLED: 3,
    }
    WAITING = (Status.QUEUED, Status.DEFERRED)

    @property
    def is_final(self):
        return self.RANK[self.status] >= 3

    @property
    def status_note(self):
        """What the status means for staff, honestly (shown beside the badge)."""

        from django.utils import formats

        when = formats.date_format(timezone.localtime(self.send_after), "D H:i") if self.send_after else ""
        if self.status == self.Status.DEFERRED:
            return f"Quiet hours: goes out {when}."
        if self.status == self.Status.QUEUED and self.error_code:
            return f"Twilio was busy ({self.error_code}); trying again {when}."
        if self.status == self.Status.UNKNOWN:
            return "Twilio didn't answer in time; waiting for its report. Not resent, so it can't arrive twice."
        return ERROR_NOTES.get(self.error_code, f"Error {self.error_code}." if self.error_code else "")

    @property
    def is_problem(self):
        return self.status in (self.Status.FAILED, self.Status.UNDELIVERED, self.Status.UNKNOWN)
