"""Staff notifications: in the app (badge and list), by email, and by text when the person opts in."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification


def notify_user(user, *, key, text, url=""):
    """Notify one staff member once per `key` (idempotent). Returns the Notification or None.

    `text` is shown in the app and sent by email; it must not carry sensitive values
    (no names, phones or clinical detail): say "A follow-up is due" and link to the page.
    """

    if user is None or not user.is_active:
        return None
    notification, created = Notification.objects.get_or_create(
        key=key, defaults={"user": user, "text": text[:300], "url": url}
    )
    if not created:
        return notification
    if user.notify_by_email and user.email:
        link = f"{settings.PUBLIC_BASE_URL}{url}" if url else settings.PUBLIC_BASE_URL
        transaction.on_commit(
            lambda: send_mail(
                subject=f"{settings.PROGRAM_NAME}: {text[:80]}",
                message=f"{text}\n\n{link}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[user.email],
                fail_silently=True,
            )
        )
    if user.notify_by_sms and user.phone:
        from followups.messaging.services import queue_staff_text

        queue_staff_text(user, text=text, key=f"staff:{key}")
    return notification
