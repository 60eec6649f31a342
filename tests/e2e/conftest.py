"""Browser journeys: the app on a live server (real PostgreSQL), driven in Debian's Chromium.

Playwright's sync API keeps an asyncio loop alive in the main thread while the browser is
open, so Django would refuse ORM calls from the test as "async"; the browser lives for the
e2e package only, and only while it lives is that check relaxed.
"""

import os
import tempfile
import time

import pytest
from playwright.sync_api import sync_playwright

from .journey import REPORT, SCREENSHOTS, Journey
from .login import log_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True, "is_mobile": True}
PHONE_320 = {"viewport": {"width": 320, "height": 640}, "has_touch": True, "is_mobile": True}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with tempfile.TemporaryDirectory(prefix="port-e2e-chromium-") as downloads, sync_playwright() as p:
        # launch() gives every run a fresh temporary profile (user-data dir).
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, downloads_path=downloads
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_journey(browser, live_server, request):
    """open_journey("outreach", TABLET) -> a Journey on a fresh browser context of that shape."""

    contexts = []

    def open_(name, device=DESKTOP, **options):
        # Reduced motion: Bootstrap then skips its colour transitions, so axe reads the colours a
        # person sees once a tap has settled, not a frame half-way through.
        context = browser.new_context(
            accept_downloads=True, locale="en-US", reduced_motion="reduce", **device, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Journey(context.new_page(), name, live_server.url)

    started = time.monotonic()
    yield open_
    REPORT.durations[request.node.nodeid] = time.monotonic() - started
    for context in contexts:
        context.close()


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker (in a thread) on the run's own Redis queue, as in production."""

    from celery.contrib.testing.worker import start_worker

    from port.celery import app

    app.control.purge()  # tasks left in this run's queue by an earlier, interrupted run
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def login():
    """login(journey, user) logs in through the real login form (and the TOTP step when asked)."""

    return log_in


def pytest_terminal_summary(terminalreporter):
    if not REPORT.screenshot_dirs:
        return
    tr = terminalreporter
    tr.section("browser journeys")
    tr.write_line(f"Screenshots: {SCREENSHOTS}")
    for folder in sorted(REPORT.screenshot_dirs):
        tr.write_line(f"  {folder.name}: {len(list(folder.glob('*.png')))} screenshots in {folder}")
    if REPORT.page_weights:
        tr.write_line("Page weight, gzip'd (budget 300 KB): HTML and other non-static responses; first visit with")
        tr.write_line("every static file the page uses (later visits take those from the cache):")
        for label, (gz, raw, cold) in REPORT.page_weights.items():
            kb = f"{gz / 1024:6.1f} KB ({raw / 1024:6.1f} KB raw); first visit {cold / 1024:6.1f} KB"
            tr.write_line(f"  {kb}  {label}")
    if REPORT.static_weights:
        total = sum(REPORT.static_weights.values())
        tr.write_line(f"Static assets, gzip'd, fetched once then cached: {total / 1024:.1f} KB in all")
        for path, size in sorted(REPORT.static_weights.items(), key=lambda kv: -kv[1]):
            tr.write_line(f"  {size / 1024:7.1f} KB  {path}")
    if REPORT.axe_notes:
        tr.write_line("axe, moderate/minor (not failing): " + "; ".join(sorted(set(REPORT.axe_notes))))
    if REPORT.durations:
        tr.write_line(f"Journey time: {sum(REPORT.durations.values()):.1f} s in the browser")
