"""Celery tasks for the follow-up clock: thin, the database rows hold the state."""

from collections import Counter

from celery import shared_task

from . import effects, scheduler


@shared_task(name="followups.tasks.sweep", ignore_result=True)
def sweep():
    """Every minute (beat): claim due side effects and enqueue them, a task per batch."""

    result = scheduler.sweep()
    return {"claimed": result.claimed, "requeued": result.requeued, "locked_out": result.locked_out}


@shared_task(name="followups.tasks.run_effects", ignore_result=True)
def run_effects(effect_ids, token):
    """Run one claimed batch of side effects; a row that no longer holds this claim is left alone."""

    results = effects.perform_effects(effect_ids, token)
    return dict(Counter(str(state) for state in results.values()))


@shared_task(name="followups.tasks.run_effect", ignore_result=True)
def run_effect(effect_id, token):
    """One claimed side effect: the sweep's tasks before batches (still queued at a deploy)."""

    return effects.perform_effect(effect_id, token)
