"""The survivor page's conversation panel: what may be sent, the one-off text form, click-to-call."""

from django import template

from ..forms import OneOffTextForm
from ..services import fallback_channel

register = template.Library()


@register.inclusion_tag("messaging/includes/conversation.html", takes_context=True)
def messaging_panel(context, survivor, messages_list):
    user = context.get("user")
    can_text = survivor.can_receive_texts
    form = context.get("text_form") or (OneOffTextForm(survivor, user=user) if can_text else None)
    why_no_text = "" if can_text else (fallback_channel(survivor)[1] or "Not marked safe to text.")
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "user": user,
        "survivor": survivor,
        "messages_list": messages_list,
        "form": form,
        "why_no_text": why_no_text,
        "can_call": bool(survivor.phone) and survivor.phone_status != "invalid",
        "note": context.get("note", ""),
        "error": context.get("error", ""),
    }
