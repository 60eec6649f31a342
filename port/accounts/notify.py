"""Staff notifications: in the app (badge and list), by email, and by text when the person opts in."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction

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
    if created:
        _deliver([(notification, text)])
    return notification


def notify_users(notices):
    """Many `notify_user` calls at once, for the sweep's batches: one insert, one mail connection.

    `notices` are (user, key, text, url) tuples. Each key is notified once, as by
    `notify_user`; a key another transaction writes meanwhile sends the batch one by one.
    """

    wanted = {}
    for user, key, text, url in notices:
        if user is not None and user.is_active:
            wanted.setdefault(key, (user, text, url))
    if not wanted:
        return
    existing = set(Notification.objects.filter(key__in=wanted).values_list("key", flat=True))
    new = [
        (Notification(user=user, key=key, text=text[:300], url=url), text)
        for key, (user, text, url) in wanted.items()
        if key not in existing
    ]
    if not new:
        return
    try:
        with transaction.atomic():
            Notification.objects.bulk_create([n for n, _ in new])
    except IntegrityError:
        for n, text in new:
            notify_user(n.user, key=n.key, text=text, url=n.url)
        return
    _deliver(new)


def _deliver(created):
    """Email (on commit, over one connection) and text the users of new notifications, as each chose.

    `created` holds (notification, text) pairs: the email and text carry the whole text.
    """

    emails = []
    for n, text in created:
        user = n.user
        if user.notify_by_email and user.email:
            link = f"{settings.PUBLIC_BASE_URL}{n.url}" if n.url else settings.PUBLIC_BASE_URL
            emails.append(
                EmailMessage(
                    subject=f"{settings.PROGRAM_NAME}: {text[:80]}",
                    body=f"{text}\n\n{link}",
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[user.email],
                )
            )
        if user.notify_by_sms and user.phone:
            from followups.messaging.services import queue_staff_text

            queue_staff_text(user, text=text, key=f"staff:{n.key}")
    if emails:
        transaction.on_commit(lambda: get_connection(fail_silently=True).send_messages(emails))
