"""Background work of intake: the CSV import of a large file (thin: the service does the work)."""

import logging

from celery import shared_task

from . import importer

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def import_batch(batch_id):
    """Import one batch; a second run (redelivery, retry) goes on from where the first stopped."""

    try:
        importer.run_import(batch_id)
    except Exception:
        # No row content in the log: only which batch failed.
        logger.exception("Import batch %s failed", batch_id)
        importer.mark_failed(batch_id, "The import stopped with an error; the rows imported so far are kept.")
        raise
