"""Walking every URL the app defines, for every role: the world of objects, the requests, the checks.

`url_patterns()` reads the URL resolver, so a new page is walked as soon as it exists, and
an entry for it must be added to EXPECTATIONS (test_security_url_walk) before the walk passes.
The world has the same case twice: one in the users' team (inside) and one in another team
(outside), each seeded with distinctive clinical sentinel values (SENTINELS) that a partner
must never receive.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from axes.models import AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin import site as admin_site
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from followups.messaging.models import Message, MessageTemplate
from port.accounts.break_glass import open_break_glass
from port.accounts.notify import notify_user
from port.accounts.roles import Role
from survivors.models import Consent, NaloxoneDistribution
from tests.factories import (
    ContactAttemptFactory,
    FamilyMemberFactory,
    FollowUpFactory,
    OrganizationFactory,
    OverdoseEventFactory,
    ReferralFactory,
    SurvivorFactory,
)

ROLES = [Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR, Role.OUTREACH, Role.PARTNER]
ANONYMOUS = "anonymous"

# Clinical values a partner must never receive, on any page, export or search result.
SENTINELS = {
    "clinical note": "Qzv-NOTE-4417",
    "substance": "Qzv-SUBSTANCE-4418",
    "referral organisation": "Qzv-ORG-4419 Recovery Center",
    "referral note": "Qzv-REFNOTE-4420",
    "message body": "Qzv-MESSAGE-4421",
    "consent purpose": "Qzv-CONSENT-4422",
}


# --- The URL map ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str
    kwarg_names: tuple


def _kwarg_names(pattern):
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return tuple(converters)
    regex = getattr(pattern.pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def url_patterns(patterns=None, prefix="", namespace=None, inherited=()):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns, inherited + _kwarg_names(p))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            key = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
            yield Route(key, route, inherited + _kwarg_names(p))


def concrete_url(route, kwargs):
    """The URL for a route with these kwargs (works for unnamed and regex patterns too)."""

    url = route.route.replace("^", "").replace("$", "").replace("\\Z", "")
    for name, value in kwargs.items():
        url = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), url)
        url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url)
    return "/" + url


# --- What each page should answer ---------------------------------------------------------------


def _statuses(spec):
    """'200 200 200 200 403|404' -> one set of acceptable statuses per role, in ROLES order."""

    tokens = spec.split()
    assert len(tokens) == len(ROLES), f"{spec!r}: give one status per role ({', '.join(ROLES)})"
    return {role: {int(s) for s in token.split("|")} for role, token in zip(ROLES, tokens, strict=True)}


@dataclass(frozen=True)
class Expect:
    """Expected GET statuses for admin, supervisor, coordinator, outreach and partner, in that order.

    obj: the world object whose id fills the URL (walked inside and outside the users' teams:
    outside, roles that see only their teams must get 404 where inside they get an answer).
    kwargs: builds all URL kwargs from the world's objects (for several ids or slugs).
    anon: what an anonymous visitor gets (302 means: to the login page).
    scoped: False when the object is not team data (the directory, a webhook id).
    post: form data also POSTed by the partner walk (search forms).
    """

    spec: str
    obj: str | None = None
    kwargs: Callable | None = None
    anon: int = 302
    scoped: bool = True
    post: dict | None = None

    def statuses(self):
        return _statuses(self.spec() if callable(self.spec) else self.spec)

    def outside_statuses(self):
        inside = self.statuses()
        result = {}
        for role, ok in inside.items():
            if role in (Role.ADMIN, Role.SUPERVISOR) or not self.scoped or not (self.obj or self.kwargs):
                result[role] = ok
            elif ok <= {403, 404, 405}:
                result[role] = ok | {403, 404}  # refused either way; 405 (POST only) reveals nothing
            else:
                result[role] = {404}
        return result


# --- The world ----------------------------------------------------------------------------------


@dataclass
class World:
    inside: dict = field(default_factory=dict)
    outside: dict = field(default_factory=dict)


def make_case(team, user):
    survivor = SurvivorFactory(team=team, notes=SENTINELS["clinical note"], status="active")
    second = SurvivorFactory(team=team, legal_last_name=survivor.legal_last_name)
    event = OverdoseEventFactory(
        survivor=survivor, substances=["fentanyl", SENTINELS["substance"]], notes=SENTINELS["clinical note"]
    )
    followup = FollowUpFactory(event=event, assigned_to=user)
    attempt = ContactAttemptFactory(followup=followup, notes=SENTINELS["clinical note"], performed_by=user)
    family = FamilyMemberFactory(survivor=survivor, notes=SENTINELS["clinical note"])
    organization = OrganizationFactory(name=SENTINELS["referral organisation"])
    referral = ReferralFactory(survivor=survivor, organization=organization, notes=SENTINELS["referral note"])
    consent = Consent.objects.create(
        survivor=survivor, kind=Consent.Kind.SHARE, organization=organization, purpose=SENTINELS["consent purpose"]
    )
    naloxone = NaloxoneDistribution.objects.create(team=team, survivor=survivor, kits=2, given_by=user)
    message = Message.objects.create(
        survivor=survivor, followup=followup, to_number=str(survivor.phone), body=SENTINELS["message body"],
        direction=Message.Direction.OUTBOUND, status=Message.Status.SENT, twilio_sid=f"SM{uuid.uuid4().hex}",
    )
    unmatched = OverdoseEventFactory(survivor=None, team=team, notes=SENTINELS["clinical note"])
    batch = apps.get_model("survivors", "ImportBatch").objects.create(
        team=team, source="ems", file_name="ems.csv", created_by=user, status="done", headers=["incident", "name"],
        bad_rows=[[2, ["INC-1", "Ada Example"], "no date of the overdose"]],
    )
    return {
        "survivor": survivor, "second_survivor": second, "event": event, "unmatched_event": unmatched,
        "followup": followup, "attempt": attempt, "family": family, "organization": organization,
        "referral": referral, "consent": consent, "naloxone": naloxone, "message": message, "import": batch,
    }


def build_world(users, team, other_team):
    world = World()
    world.inside = make_case(team, users[Role.OUTREACH])
    world.outside = make_case(other_team, None)
    # A row for the admin's other pages: a group, a notification, a failed login (axes' logs).
    Group.objects.get_or_create(name="Night shift")
    # A text template of its own: a transactional test elsewhere may have flushed the migration's rows.
    MessageTemplate.objects.get_or_create(name="walk", channel="sms", language="en",
                                          defaults={"body": "Hi {first_name}, this is {program_name}."})
    notify_user(users[Role.OUTREACH], key="walk", text="A follow-up is due", url="/followups/")
    Client().post(reverse("login"), {"username": users[Role.OUTREACH].username, "password": "not the password"})
    seen = {"user_agent": "walker", "ip_address": "10.0.0.9", "username": "someone", "http_accept": "*/*",
            "path_info": reverse("login")}
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    TOTPDevice.objects.get_or_create(user=users[Role.ADMIN], confirmed=True, defaults={"name": "Admin's phone"})
    # (for a third person, so that the walk's outside case stays outside)
    open_break_glass(users[Role.COORDINATOR], SurvivorFactory(team=other_team), "The hospital called about them")
    return world


def admin_object_id(key):
    """For admin:<app>_<model>_<action>, the id of a row of that model (the first one)."""

    models = [get_user_model()] if key.endswith("_password_change") else [
        model for model in admin_site._registry
        if key.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_")
    ]
    obj = models[0]._default_manager.order_by("pk").first() if models else None
    return obj.pk if obj is not None else None


@dataclass
class Answer:
    url: str
    status: int | None
    location: str = ""
    content: bytes = b""
    content_type: str = ""
    error: str = ""


def fetch(client, url, method="get", data=None):
    try:
        response = getattr(client, method)(url, data or {})
    except Exception as exc:  # noqa: BLE001 - a crash is the finding
        return Answer(url, None, error=f"{type(exc).__name__}: {exc}")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return Answer(
        url, response.status_code, response.get("Location", ""), content, response.get("Content-Type", "")
    )
