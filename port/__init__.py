"""PORT case management: the project package (settings, urls, Celery app, cross-cutting apps)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
