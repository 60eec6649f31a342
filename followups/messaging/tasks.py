"""Celery tasks for messages: thin; the Message row holds the state and the claim."""

from celery import shared_task

from . import sending


@shared_task(name="followups.messaging.tasks.send_message", ignore_result=True)
def send_message(message_id):
    """Send one row if it is still waiting and due; does nothing if another worker has it."""

    return sending.send_message(message_id)


@shared_task(name="followups.messaging.tasks.send_due_messages", ignore_result=True)
def send_due_messages():
    """Every minute (beat): hand deferred and retried rows that are due to the workers."""

    return sending.send_due_messages()
