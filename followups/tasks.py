"""Celery tasks for the follow-up clock: thin, the database rows hold the state."""

from celery import shared_task

from . import effects, scheduler


@shared_task(name="followups.tasks.sweep", ignore_result=True)
def sweep():
    """Every minute (beat): claim due side effects and enqueue them."""

    result = scheduler.sweep()
    return {"claimed": result.claimed, "requeued": result.requeued, "locked_out": result.locked_out}


@shared_task(name="followups.tasks.run_effect", ignore_result=True)
def run_effect(effect_id, token):
    """Run one claimed side effect; does nothing unless the row still holds this claim."""

    return effects.perform_effect(effect_id, token)
