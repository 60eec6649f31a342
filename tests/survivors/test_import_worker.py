"""A large file imports in the background on a real Celery worker, its progress polled by the page."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from port.celery import app as celery_app
from survivors.models import ImportBatch, OverdoseEvent

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def big_file(rows):
    lines = ["Incident,Date,First,Last"]
    start = timezone.localtime(timezone.now() - timedelta(days=20))
    for i in range(rows):
        lines.append(f"BG-{i},{(start + timedelta(minutes=i)):%m/%d/%Y %H:%M},Pat{i},Rowe{i % 97}")
    return ("\n".join(lines) + "\n").encode()


def test_a_large_file_imports_on_the_worker_and_the_page_polls_until_done(client, login, coordinator, settings):
    settings.IMPORT_BACKGROUND_ROWS = 100
    settings.IMPORT_CHUNK_ROWS = 100
    assert not celery_app.conf.task_always_eager and celery_app.conf.broker_url.startswith("redis://")
    celery_app.control.purge()
    login(coordinator)
    client.post(reverse("survivors:import_upload"),
                {"source": "police", "file": SimpleUploadedFile("big.csv", big_file(450))})
    batch = ImportBatch.objects.get()
    mapping_url = reverse("survivors:import_mapping", args=[batch.pk])
    guessed = client.get(mapping_url).context["form"].fields
    client.post(mapping_url, {name: field.initial or "" for name, field in guessed.items()})

    status_url = client.post(reverse("survivors:import_start", args=[batch.pk])).url
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED  # handed to the worker, not done in the request
    waiting = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in waiting

    with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
        assert wait_until(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE)

    done = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "450 events imported" in done and "hx-trigger" not in done
    assert OverdoseEvent.objects.filter(source="police").count() == 450
