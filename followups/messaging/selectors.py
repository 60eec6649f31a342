"""Read queries for messages that several pages share."""

from .models import Message


def survivor_messages(survivor):
    """The conversation on a survivor's page, oldest first."""

    return Message.objects.filter(survivor=survivor).select_related("sent_by").order_by("created_at")
