"""Read queries for messages that several pages share."""

from .models import Message


def survivor_messages(survivor):
    """The conversation on a survivor's page, oldest first (one query, whatever its length)."""

    return Message.objects.filter(survivor=survivor).select_related("sent_by").order_by("created_at")


def fallback_messages(followup):
    """The fallback texts and calls of one follow-up, for its page."""

    return Message.objects.filter(followup=followup, purpose=Message.Purpose.FALLBACK).order_by("created_at")
