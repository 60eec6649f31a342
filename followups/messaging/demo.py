"""Demo conversations for the run command: fallback texts, a reply, a STOP, a failed text.

Outbound rows are written as the database backend would leave them (nothing is sent,
even with Twilio configured); replies go through the real inbound service, so the
assigned worker gets the notification and STOP opts the number out.
"""

from datetime import timedelta

from django.utils import timezone

DEMO_REPLY = "Thanks for checking on me. Can you call me tomorrow afternoon?"


def load_messaging_demo():
    from followups.models import FollowUp

    from .inbound import receive_text
    from .models import Message, MessageTemplate
    from .services import find_template, render_template

    followups = [
        f
        for f in FollowUp.objects.open()
        .filter(survivor__isnull=False, kind=FollowUp.Kind.INITIAL)
        .select_related("survivor", "assigned_to")
        .order_by("deadline_at")
        if f.survivor.can_receive_texts
    ][:4]
    now = timezone.now()
    for i, followup in enumerate(followups):
        survivor = followup.survivor
        template = find_template(MessageTemplate.FALLBACK, Message.Channel.SMS, survivor.language)
        if template is None:
            return
        sent_at = now - timedelta(hours=6 - i)
        status, error = [
            (Message.Status.DELIVERED, ""),
            (Message.Status.DELIVERED, ""),
            (Message.Status.UNDELIVERED, "30003"),
            (Message.Status.SENT, ""),
        ][i]
        Message.objects.get_or_create(
            idempotency_key=f"fallback:{followup.pk}:visit",
            defaults={
                "channel": Message.Channel.SMS,
                "purpose": Message.Purpose.FALLBACK,
                "to_number": survivor.phone.as_e164,
                "template": template if template.pk else None,
                "body": render_template(template, survivor, worker=followup.assigned_to),
                "survivor": survivor,
                "followup": followup,
                "sent_by": followup.assigned_to,
                "status": status,
                "error_code": error,
                "twilio_sid": f"SMdemo{followup.pk:026d}",
                "created_at": sent_at,
                "sent_at": sent_at,
            },
        )
        if i == 0:
            receive_text(sid=f"SMdemoreply{followup.pk:021d}", from_number=survivor.phone.as_e164,
                         to_number="+12025550100", body=DEMO_REPLY)
        elif i == 1:
            receive_text(sid=f"SMdemostop{followup.pk:022d}", from_number=survivor.phone.as_e164,
                         to_number="+12025550100", body="STOP")
