"""Periodic work for accounts and privacy: the daily retention purge (a thin task over a service)."""

from celery import shared_task
from django.core.cache import cache

from .retention import purge_expired_cases as purge

LOCK_KEY = "lock:accounts:purge_expired_cases"
LOCK_SECONDS = 3600


@shared_task
def purge_expired_cases():
    """Purge closed cases older than RETENTION_YEARS; safe to run twice (a short lock, then a no-op)."""

    if not cache.add(LOCK_KEY, "1", timeout=LOCK_SECONDS):
        return None
    try:
        result = purge()
        return {"cases": result["cases"], "cutoff": result["cutoff"].isoformat()}
    finally:
        cache.delete(LOCK_KEY)
