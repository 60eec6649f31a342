"""The Celery app: tasks are thin, the database is the source of truth (design.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "port.settings")

app = Celery("port")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
