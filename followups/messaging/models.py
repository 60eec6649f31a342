"""Texts and calls: a row is written before Twilio is called, and only moves forward."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from port.accounts.scoping import ScopedQuerySet


class MessageTemplate(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", "Text"
        VOICE = "voice", "Voice message"

    name = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SMS)
    language = models.CharField(max_length=10, default="en")
    body = models.TextField(help_text="Placeholders: {first_name}, {worker_name}, {program_phone}, {program_name}.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["name", "channel", "language"], name="one_template_per_language")
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"


class MessageQuerySet(ScopedQuerySet):
    team_path = "survivor__team"


class Message(models.Model):
    class Direction(models.TextChoices):
        OUTBOUND = "out", "Outbound"
        INBOUND = "in", "Inbound"

    class Channel(models.TextChoices):
        SMS = "sms", "Text"
        VOICE = "voice", "Call"

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
    body = models.TextField(blank=True)
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
    send_after = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["survivor", "created_at"]), models.Index(fields=["status", "send_after"])]

    def __str__(self):
        return f"{self.get_direction_display()} {self.get_channel_display()} {self.pk}"
