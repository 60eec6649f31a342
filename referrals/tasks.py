"""Periodic work for referrals: thin tasks that call a service (the database is the source of truth)."""

from celery import shared_task
from django.core.cache import cache

from .checks import open_referral_checks

LOCK_KEY = "lock:referrals:check_stale"
LOCK_SECONDS = 300


@shared_task
def check_stale_referrals():
    """Open the check-ins that are due; a short lock keeps two beats from sweeping at once."""

    if not cache.add(LOCK_KEY, "1", timeout=LOCK_SECONDS):
        return 0
    try:
        return len(open_referral_checks())
    finally:
        cache.delete(LOCK_KEY)
