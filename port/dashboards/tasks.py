"""Periodic work for the dashboards: the nightly check of the per-event facts (a thin task over facts.py)."""

from celery import shared_task

from . import facts


@shared_task(name="port.dashboards.tasks.repair_event_facts", ignore_result=True)
def repair_event_facts():
    """Rewrite any event whose facts differ from its attempts and referrals; safe to run twice."""

    return {"repaired": facts.repair_event_facts()}
