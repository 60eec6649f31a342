"""Staff actions on messages: the one-tap fallback, a one-off text, click-to-call, the conversation.

Each is scoped (`get_visible_or_404`), closed to the partner role (messages are clinical
detail), audited in the same transaction, and answers htmx with the re-rendered section.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from followups.models import FollowUp
from port.accounts.scoping import get_visible_or_404
from port.audit.services import record_event
from survivors.models import Survivor

from . import selectors
from .forms import OneOffTextForm
from .inbound import survivor_url
from .models import Message
from .services import CannotSend, fallback_channel, queue_fallback_contact, queue_one_off_text, start_bridge_call

SECTION = "messaging/includes/survivor_messages.html"
PAGE = "messaging/conversation_page.html"


def _clinical_only(user):
    if not user.sees_clinical:
        raise PermissionDenied("Messages are not shown to your role.")


def _survivor(request, survivor_id):
    _clinical_only(request.user)
    return get_visible_or_404(Survivor.objects.active(), request.user, pk=survivor_id)


def _back(request, default):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _section(request, survivor, *, form=None, note="", error=""):
    context = {
        "survivor": survivor,
        "messages_list": selectors.survivor_messages(survivor),
        "text_form": form,
        "note": note,
        "error": error,
        "page_title": f"Texts and calls: {survivor.display_name}",
    }
    return render(request, SECTION if request.htmx else PAGE, context)


def _queued_note(message, what):
    if message.status == Message.Status.DEFERRED:
        when = formats.date_format(timezone.localtime(message.send_after), "D H:i")
        return f"{what} queued: quiet hours, it goes out {when}."
    return f"{what} queued."


@require_GET
def conversation(request, survivor_id):
    """The conversation section alone (htmx refresh)."""

    survivor = _survivor(request, survivor_id)
    record_event(request, "view", survivor, detail="messages")
    return _section(request, survivor)


@require_POST
def send_text(request, survivor_id):
    survivor = _survivor(request, survivor_id)
    form = OneOffTextForm(survivor, request.POST, user=request.user)
    note = error = ""
    if form.is_valid():
        try:
            message = queue_one_off_text(
                survivor,
                by=request.user,
                body=form.cleaned_data["rendered"],
                token=form.cleaned_data["token"],
                template=form.cleaned_data["template"],
                request=request,
            )
        except CannotSend as exc:
            error = str(exc)
        else:
            note, form = _queued_note(message, "Text"), None
    if note and not request.htmx:
        messages.success(request, note)
        return _back(request, survivor_url(survivor))
    # A refused text stays on screen with what was typed.
    return _section(request, survivor, form=form, note=note, error=error)


@require_POST
def call_survivor(request, survivor_id):
    survivor = _survivor(request, survivor_id)
    note = error = ""
    try:
        start_bridge_call(survivor, by=request.user, request=request)
    except CannotSend as exc:
        error = str(exc)
    else:
        note = "Calling your phone now: answer it, and we connect you from the program's number."
    if not request.htmx:
        (messages.success if note else messages.error)(request, note or error)
        return _back(request, survivor_url(survivor))
    return _section(request, survivor, note=note, error=error)


@require_POST
def send_fallback(request, followup_id):
    """The one-tap fallback from the follow-up page: a text, else a voice message, once per follow-up."""

    _clinical_only(request.user)
    followup = get_visible_or_404(FollowUp.objects.select_related("survivor"), request.user, pk=followup_id)
    error, message = "", None
    if not followup.is_open:
        error = "This follow-up is closed."
    else:
        channel, why_not = fallback_channel(followup.survivor)
        if channel is None:
            error = why_not
        else:
            with transaction.atomic():
                already = Message.objects.filter(idempotency_key=f"fallback:{followup.pk}:manual").first()
                message = queue_fallback_contact(
                    followup, reason="sent by hand", stage="manual", by=request.user, request=request
                )
                if message is None:
                    error = "No fallback could be sent: check the message templates."
                elif already is not None:
                    error = f"A fallback was already sent for this follow-up ({already.get_status_display().lower()})."
    note = "" if error else _queued_note(message, "Text" if message.channel == Message.Channel.SMS else "Voice message")
    if request.htmx:
        return render(
            request, "messaging/includes/fallback_result.html", {"followup": followup, "note": note, "error": error}
        )
    (messages.success if note else messages.error)(request, note or error)
    return _back(request, reverse("followups:detail", args=[followup.pk]))
