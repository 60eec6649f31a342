"""The sweep: claims due side effects of the follow-up clock and hands each batch to a Celery task.

The ScheduledEffect rows are the source of truth (design.md, "Scheduling"). The sweep
claims due rows in short transactions with `select_for_update(skip_locked=True)`, so two
sweeps never claim the same row, and enqueues one effect task per claimed batch only once
the claim is committed. A claim carries a token; the task acts on a row only while the row
still holds that token. A claim whose task never ran (a dead worker, a lost message) goes
stale and is claimed again with a new token, so nothing is lost and nothing runs twice.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import FollowUp, ScheduledEffect

logger = logging.getLogger(__name__)

LOCK_KEY = "followups:sweep:lock"
# A sweep that runs longer than a few batches stops and lets the next minute's sweep go on.
MAX_BATCHES_PER_SWEEP = 50


@dataclass
class SweepResult:
    claimed: int = 0
    requeued: int = 0
    skipped: int = 0
    failed: int = 0
    locked_out: bool = False


def sweep(*, now=None):
    """One run of the beat task. Only one runs at a time (a short Redis lock)."""

    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, timeout=settings.SWEEP_LOCK_SECONDS):
        logger.info("sweep: another sweep holds the lock")
        return SweepResult(locked_out=True)
    try:
        return sweep_unlocked(now=now)
    finally:
        # Release only our own lock: if it expired and another sweep took it, leave theirs.
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def sweep_unlocked(*, now=None):
    """The sweep's work without the lock. Safe to run concurrently: claims never overlap."""

    now = now or timezone.now()
    result = SweepResult()
    result.skipped = skip_effects_of_closed_followups(now)
    for _ in range(MAX_BATCHES_PER_SWEEP):
        stale, failed = requeue_stale_claims(now)
        result.requeued += stale
        result.failed += failed
        if stale < settings.SWEEP_BATCH_SIZE:
            break
    for _ in range(MAX_BATCHES_PER_SWEEP):
        claimed = claim_due_effects(now)
        result.claimed += len(claimed)
        if len(claimed) < settings.SWEEP_BATCH_SIZE:
            break
    if result.claimed or result.requeued or result.failed:
        logger.info(
            "sweep: claimed %s, re-queued %s stale, gave up on %s", result.claimed, result.requeued, result.failed
        )
    return result


def skip_effects_of_closed_followups(now):
    """Pending effects of follow-ups no longer open will never apply."""

    return (
        ScheduledEffect.objects.filter(state=ScheduledEffect.State.PENDING, due_at__lte=now)
        .exclude(followup__status=FollowUp.Status.OPEN)
        .update(state=ScheduledEffect.State.SKIPPED, done_at=now)
    )


def claim_due_effects(now):
    """Claim one batch of due rows in one short transaction; enqueue their tasks on commit."""

    with transaction.atomic():
        ids = list(
            ScheduledEffect.objects.select_for_update(skip_locked=True)
            .filter(state=ScheduledEffect.State.PENDING, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("id", flat=True)[: settings.SWEEP_BATCH_SIZE]
        )
        if ids:
            _claim(ids, now)
    return ids


def requeue_stale_claims(now):
    """Claims older than SWEEP_CLAIM_STALE_MINUTES whose task never finished: claim them again.

    A task still working holds its row's lock, so `skip_locked` leaves it alone. After
    SWEEP_MAX_TRIES the row is marked failed (and logged) instead of retried forever.
    """

    stale_before = now - timedelta(minutes=settings.SWEEP_CLAIM_STALE_MINUTES)
    with transaction.atomic():
        rows = list(
            ScheduledEffect.objects.select_for_update(skip_locked=True)
            .filter(state=ScheduledEffect.State.CLAIMED, claimed_at__lt=stale_before)
            .order_by("claimed_at", "id")
            .values_list("id", "tries")[: settings.SWEEP_BATCH_SIZE]
        )
        give_up = [pk for pk, tries in rows if tries >= settings.SWEEP_MAX_TRIES]
        retry = [pk for pk, tries in rows if tries < settings.SWEEP_MAX_TRIES]
        if give_up:
            ScheduledEffect.objects.filter(pk__in=give_up).update(state=ScheduledEffect.State.FAILED, done_at=now)
            logger.error("sweep: gave up on scheduled effects %s after %s tries", give_up, settings.SWEEP_MAX_TRIES)
        if retry:
            _claim(retry, now)
    return len(retry), len(give_up)


def _claim(ids, now):
    token = uuid.uuid4()
    ScheduledEffect.objects.filter(pk__in=ids).update(
        state=ScheduledEffect.State.CLAIMED, claim_token=token, claimed_at=now, tries=F("tries") + 1
    )
    transaction.on_commit(partial(enqueue_effects, list(ids), str(token)))


def enqueue_effects(effect_ids, token):
    """Hand one claimed batch to a worker. If the broker is down the claims go stale and are retried."""

    from .tasks import run_effects

    try:
        run_effects.delay(effect_ids, token)
    except Exception:  # noqa: BLE001 - the stale-claim re-queue is the retry
        logger.exception("sweep: could not enqueue %s scheduled effects from %s", len(effect_ids), effect_ids[0])
