"""A full journey with a seeded phone number and note: neither may appear in any log line or URL.

Log in, record an overdose event for a new person (with the phone and a clinical note), open
the person's page, log a visit (with the note), search by phone: every logger at DEBUG, every
requested URL and every redirect checked.
"""

import logging
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followups.models import ContactAttempt, FollowUp
from port.accounts.roles import Role
from survivors.models import OverdoseEvent, Survivor
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PHONE_TYPED = "(202) 555-0177"
PHONE_FORMS = ("+12025550177", "2025550177", "555-0177", "5550177", "555 0177", "%2B12025550177")
NOTE = "Journey-note-7Xq: prefers the back door, started methadone"
NOTE_FORMS = (NOTE, "Journey-note-7Xq", "back door", "back+door", "back%20door")


class FormReader(HTMLParser):
    """The fields of each form on a page, with the values a browser would submit unchanged."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select, self.textarea = [], None, None, None
        self.chosen = set()  # selects with an option marked selected

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {}
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.current.setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.current[a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            self.current[self.select] = None
        elif tag == "option" and self.select and self.select not in self.chosen:
            if "selected" in a:
                self.chosen.add(self.select)
                self.current[self.select] = a.get("value", "")
            elif self.current[self.select] is None:  # a browser sends the first option
                self.current[self.select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.current[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.current[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.current = None


def form_data(html, **values):
    reader = FormReader()
    reader.feed(html)
    form = max(reader.forms, key=len)  # the page's own form, not the logout button's
    form.update(values)
    return form


class Journey:
    """A test client that remembers every URL it asked for and every redirect it was sent to."""

    def __init__(self):
        self.client = Client()
        self.urls = []

    def _seen(self, url, response):
        self.urls.append(url)
        self.urls += [location for location, _ in getattr(response, "redirect_chain", [])]
        if response.get("Location"):
            self.urls.append(response["Location"])
        return response

    def get(self, url):
        return self._seen(url, self.client.get(url, follow=True))

    def post(self, url, data):
        return self._seen(url, self.client.post(url, data, follow=True))


@pytest.fixture
def all_loggers_at_debug(caplog):
    names = ["", *logging.root.manager.loggerDict]
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_the_phone_and_note_appear_in_no_log_line_and_no_url(users, team, all_loggers_at_debug):
    caplog = all_loggers_at_debug
    coordinator = users[Role.COORDINATOR]
    journey = Journey()

    # Log in through the form.
    journey.post(reverse("login"), {"username": coordinator.username, "password": PASSWORD})

    # Record an overdose event for a new person, with the phone and a clinical note.
    form = journey.get(reverse("survivors:event_create")).content.decode()
    occurred = timezone.localtime(timezone.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    data = form_data(
        form,
        **{
            "person-legal_first_name": "Orla", "person-legal_last_name": "Vantongeren",
            "person-phone": PHONE_TYPED, "person-date_of_birth": "1988-04-09",
            "event-occurred_at": occurred, "event-source": "ems", "event-source_incident_number": "EMS-77-1",
            "event-outcome": "survived", "event-address": "4 Quarry Lane", "event-substances": ["fentanyl"],
            "event-notes": NOTE,
        },
    )
    # First without the time: the form comes back with what was typed (and says what to fix).
    again = journey.post(reverse("survivors:event_create"), {**data, "event-occurred_at": ""}).content.decode()
    assert NOTE in again and not Survivor.objects.filter(legal_last_name="Vantongeren").exists()
    journey.post(reverse("survivors:event_create"), data)
    survivor = Survivor.objects.get(legal_last_name="Vantongeren")
    assert str(survivor.phone.as_e164) == PHONE_FORMS[0]
    assert OverdoseEvent.objects.get(survivor=survivor).notes == NOTE

    # Open the person's page.
    assert journey.get(reverse("survivors:detail", args=[survivor.pk])).status_code == 200

    # Log a visit with the note.
    followup = FollowUp.objects.get(survivor=survivor)
    form = journey.get(reverse("followups:log_attempt", args=[followup.pk])).content.decode()
    data = form_data(form, method="visit", outcome="not_home", notes=NOTE)
    data.pop("send_fallback", None)  # no text this time
    journey.post(reverse("followups:log_attempt", args=[followup.pk]), data)
    assert ContactAttempt.objects.get(followup=followup).notes == NOTE

    # Search by phone, and by name.
    results = journey.post(reverse("survivors:list"), {"phone": PHONE_TYPED}).content.decode()
    assert reverse("survivors:detail", args=[survivor.pk]) in results
    journey.post(reverse("survivors:list"), {"name": "Vantongeren"})

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = [formatter.format(record) for record in caplog.records]  # with any traceback
    print(f"{len(lines)} log lines checked, {len(journey.urls)} URLs checked")
    for line in lines:
        for value in (*PHONE_FORMS, *NOTE_FORMS):
            assert value not in line, f"log line carries {value!r}: {line[:200]}"
    for url in journey.urls:
        for value in (*PHONE_FORMS, *NOTE_FORMS, "Vantongeren"):
            assert value not in url, f"URL carries {value!r}: {url}"


def test_sql_and_its_parameters_stay_out_of_the_logs(settings):
    """Query parameters hold phones and names: the database logger never logs below WARNING."""

    assert settings.LOGGING["loggers"]["django.db.backends"]["level"] == "WARNING"
