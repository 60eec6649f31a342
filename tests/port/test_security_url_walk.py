"""Every URL the app defines, for every role and an anonymous visitor, answers as expected.

The walk reads the URL resolver, so a new page cannot escape it: a URL name missing from
EXPECTATIONS fails with "add expectations for <name>". Pages on one record are walked with a
record inside the user's teams and one outside (where roles that see only their teams must
get 404). No page may crash, and no HTML page may carry inline code the CSP would block.

Statuses are given per role in the order: admin, supervisor, coordinator, outreach, partner;
"403|404" accepts either.
"""

import pytest
from django.test import Client
from django.urls import reverse

from port.accounts.roles import Role

from .test_security_headers import inline_code_in
from .walker import ANONYMOUS, ROLES, Expect, admin_object_id, build_world, concrete_url, fetch, url_patterns

pytestmark = pytest.mark.django_db

ALL_200 = "200 200 200 200 200"
STAFF_200 = "200 200 200 200 403"
COORD_200 = "200 200 200 403 403"
ALL_TEAMS_200 = "200 200 403 403 403"
POST_ONLY = "405 405 405 405 405"
STAFF_POST_ONLY = "405 405 405 405 403|405"


def survivor_and_other(objs):
    return {"pk": objs["survivor"].pk, "other_pk": objs["second_survivor"].pk}


EXPECTATIONS = {
    # The start page sends each role to its landing page; the health check is public.
    "home": Expect("302 302 302 302 302"),
    "healthz": Expect(ALL_200, anon=200),
    # Logging in and out, passwords, two-factor, notifications.
    "login": Expect("302 302 302 302 302", anon=200),
    "logout": Expect(POST_ONLY),
    "password_change": Expect(ALL_200),
    "password_change_done": Expect(ALL_200),
    "password_reset": Expect(ALL_200, anon=200),
    "password_reset_done": Expect(ALL_200, anon=200),
    "password_reset_confirm": Expect(ALL_200, anon=200, kwargs=lambda objs: {"uidb64": "MQ", "token": "x-y"}),
    "password_reset_complete": Expect(ALL_200, anon=200),
    "notifications": Expect(ALL_200),
    "otp_setup": Expect(ALL_200),
    "otp_verify": Expect("200 200 302 302 302"),  # only those with a device (here: who need one)
    "break_glass": Expect("403 403 200 200 403"),
    "break_glass_for": Expect("403 403 200 200 403", obj="survivor", scoped=False),
    "audit:log": Expect(ALL_TEAMS_200),
    # Dashboards and exports.
    "dashboards:dashboard": Expect(STAFF_200),
    "dashboards:rows": Expect(STAFF_200, kwargs=lambda objs: {"key": "events"}),
    "dashboards:rows_export": Expect(ALL_TEAMS_200, kwargs=lambda objs: {"key": "events"}),  # names: identified
    "dashboards:export_table": Expect(STAFF_200, kwargs=lambda objs: {"table": "report_referrals"}),  # counts only
    "dashboards:export_deidentified": Expect(COORD_200),
    "dashboards:export_identified": Expect(ALL_TEAMS_200),
    "dashboards:report": Expect(COORD_200),
    # Survivors, events, imports.
    "survivors:list": Expect(ALL_200, post={"name": "{survivor.legal_last_name}"}),
    "survivors:detail": Expect(ALL_200, obj="survivor"),
    "survivors:history": Expect(ALL_200, obj="survivor"),  # the survivor page's whole history
    "survivors:edit": Expect(STAFF_200, obj="survivor"),
    "survivors:delete": Expect("200 403 403 403 403", obj="survivor"),
    "survivors:merge": Expect(COORD_200, obj="survivor"),
    "survivors:merge_confirm": Expect(COORD_200, obj="survivor", kwargs=survivor_and_other),
    "survivors:lookup": Expect(STAFF_POST_ONLY),
    "survivors:family_create": Expect(STAFF_200, obj="survivor"),
    "survivors:family_edit": Expect(STAFF_200, obj="family"),
    "survivors:consent_create": Expect(STAFF_200, obj="survivor"),
    "survivors:consent_revoke": Expect(STAFF_POST_ONLY, obj="consent"),
    "survivors:naloxone_create": Expect(STAFF_200, obj="survivor"),
    "survivors:naloxone_anonymous": Expect(ALL_200),  # kits handed out, no person: partners too
    "survivors:event_create": Expect(COORD_200),
    "survivors:match_candidates": Expect("405 405 405 403 403"),  # htmx POST
    "survivors:unmatched": Expect(COORD_200),
    "survivors:event_detail": Expect(ALL_200, obj="event"),
    "survivors:event_attach": Expect("405 405 405 403 403", obj="unmatched_event"),
    "survivors:import_upload": Expect(COORD_200),
    "survivors:import_mapping": Expect("302 302 302 403 403", obj="import"),  # a finished import: to its status
    "survivors:import_preview": Expect("302 302 302 403 403", obj="import"),
    "survivors:import_start": Expect("405 405 405 403 403", obj="import"),
    "survivors:import_status": Expect(COORD_200, obj="import"),
    "survivors:import_bad_rows": Expect(COORD_200, obj="import"),
    # Follow-ups.
    "followups:worklist": Expect(ALL_200),
    "followups:team_worklist": Expect(COORD_200),
    "followups:visits": Expect(ALL_200),
    "followups:detail": Expect(STAFF_200, obj="followup"),
    "followups:log_attempt": Expect(STAFF_200, obj="followup"),
    "followups:assign": Expect(POST_ONLY, obj="followup"),
    "followups:confirm_unreached": Expect(POST_ONLY, obj="followup"),
    "followups:clock_failures": Expect(COORD_200),
    # (the id of a scheduled effect: a POST only, refused before any row is read)
    "followups:retry_clock_action": Expect(POST_ONLY, kwargs=lambda objs: {"pk": 1}),
    # Messages, and Twilio's signature-checked webhooks (public).
    "messaging:conversation": Expect(STAFF_200, obj="survivor"),
    "messaging:send_text": Expect(STAFF_POST_ONLY, obj="survivor"),
    "messaging:call_survivor": Expect(STAFF_POST_ONLY, obj="survivor"),
    "messaging:send_fallback": Expect(STAFF_POST_ONLY, obj="followup"),
    "messaging:twilio_incoming_text": Expect(POST_ONLY, anon=405),
    "messaging:twilio_status": Expect(POST_ONLY, anon=405, obj="message", scoped=False),
    "messaging:twilio_voice_message": Expect(POST_ONLY, anon=405, obj="message", scoped=False),
    "messaging:twilio_voice_bridge": Expect(POST_ONLY, anon=405, obj="message", scoped=False),
    # Referrals and the resource directory.
    "referrals:list": Expect(STAFF_200),
    "referrals:detail": Expect(STAFF_200, obj="referral"),
    "referrals:change_status": Expect(STAFF_POST_ONLY, obj="referral"),
    "referrals:treatment_progress": Expect(STAFF_POST_ONLY, obj="referral"),
    "referrals:create_for_survivor": Expect(STAFF_200, obj="survivor"),
    "referrals:create_for_family": Expect(STAFF_200, obj="family"),
    "referrals:resource_list": Expect(STAFF_200),
    "referrals:organization_create": Expect(COORD_200),
    "referrals:organization_edit": Expect(COORD_200, obj="organization", scoped=False),
    "referrals:directory_import": Expect(COORD_200),
    "referrals:directory_export": Expect(STAFF_200),
}

# Django's admin site: admins only (everyone else is sent to its login), every registered model.
ADMIN_ONLY = "200 302 302 302 302"
ADMIN_EXPECTATIONS = {
    "admin:index": Expect(ADMIN_ONLY),
    "admin:login": Expect("302 200 200 200 200", anon=200),
    "admin:logout": Expect("405 302 302 302 302"),
    "admin:password_change": Expect(ADMIN_ONLY),
    "admin:password_change_done": Expect(ADMIN_ONLY),
    "admin:autocomplete": Expect("403 302 302 302 302"),
    "admin:jsi18n": Expect(ADMIN_ONLY),
    "admin:app_list": Expect(ADMIN_ONLY, kwargs=lambda objs: {"app_label": "accounts"}),
}
ADMIN_MODEL_ACTIONS = ("changelist", "add", "change", "delete", "history", "password_change", "config", "qrcode")


def expectation_for(route):
    if route.key in EXPECTATIONS:
        return EXPECTATIONS[route.key]
    if route.key in ADMIN_EXPECTATIONS:
        return ADMIN_EXPECTATIONS[route.key]
    if route.route.startswith("admin/"):
        return admin_model_expectation(route)
    return None


def admin_model_expectation(route):
    """Admin pages of a registered model: for admins only (everyone else is sent to the admin login).

    An admin gets 200, 403 where the model's admin is read-only (axes logs, messages) and
    302 where the row is missing.
    """

    if route.kwarg_names and route.key.endswith(ADMIN_MODEL_ACTIONS):

        def spec():  # read when walking, once the world exists
            if admin_object_id(route.key) is None:
                return "302 302 302 302 302"
            return f"{'200|403' if route.key.endswith('_delete') else '200'} 302 302 302 302"

        return Expect(spec, kwargs=lambda objs: dict.fromkeys(route.kwarg_names, admin_object_id(route.key) or 1))
    if route.key.endswith("_changelist"):
        return Expect(ADMIN_ONLY)
    if route.key.endswith("_add"):
        return Expect("200|403 302 302 302 302")
    # Unnamed helpers: /admin/<app>/<model>/<id>/ redirects to the change page; the catch-all 404s or
    # redirects; view_on_site redirects.
    return Expect("302|404 302 302 302 302", kwargs=lambda objs: dict.fromkeys(route.kwarg_names, 1))


def routes():
    return list(url_patterns())


def test_every_url_has_expectations():
    missing = [r.key for r in routes() if expectation_for(r) is None]
    where = "EXPECTATIONS in tests/port/test_security_url_walk.py"
    assert not missing, "\n".join(f"add expectations for {key} ({where})" for key in missing)


def test_a_new_page_without_expectations_is_reported(settings):
    settings.ROOT_URLCONF = "tests.port.urls_with_a_new_page"
    missing = [r.key for r in routes() if expectation_for(r) is None]
    assert missing == ["survivors:brand_new_page"]


def test_the_expectations_name_only_urls_that_exist():
    keys = {r.key for r in routes()}
    stale = sorted((set(EXPECTATIONS) | set(ADMIN_EXPECTATIONS)) - keys)
    assert not stale, f"these URL names no longer exist: remove them from the table: {stale}"


def kwargs_for(route, expect, objs):
    if expect.kwargs is not None:
        return expect.kwargs(objs)
    if not route.kwarg_names:
        return {}
    assert expect.obj, f"{route.key}: name the object (obj=...) whose id fills {route.kwarg_names}"
    return dict.fromkeys(route.kwarg_names, objs[expect.obj].pk)


def check(answer, expected, who, route, findings):
    if answer.error:
        findings.append(f"{route.key} {answer.url} as {who}: raised {answer.error}")
        return
    if answer.status not in expected:
        where = f" -> {answer.location}" if answer.location else ""
        findings.append(f"{route.key} {answer.url} as {who}: {answer.status}{where}, expected {sorted(expected)}")
        return
    if answer.status == 302 and who == ANONYMOUS and expected == {302}:
        if not answer.location.startswith((reverse("login"), "/admin/login/")):
            findings.append(f"{route.key} {answer.url} as anonymous: redirected to {answer.location}, not to login")
    if answer.status == 200 and answer.content_type.startswith("text/html"):
        problems = inline_code_in(answer.content.decode(errors="replace"))
        if problems:
            findings.append(f"{route.key} {answer.url} as {who}: inline code the CSP blocks: {problems[:3]}")


@pytest.fixture
def world(users, team, other_team):
    return build_world(users, team, other_team)


def test_every_url_answers_every_role_as_expected(users, world):
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(users[role])
    clients[ANONYMOUS] = Client()

    findings = []
    for route in routes():
        expect = expectation_for(route)
        if expect is None:
            continue  # reported by test_every_url_has_expectations
        scopes = [("inside", world.inside, expect.statuses())]
        if expect.scoped and expect.obj and not route.route.startswith("admin/"):
            scopes.append(("outside", world.outside, expect.outside_statuses()))
        for scope, objs, statuses in scopes:
            url = concrete_url(route, kwargs_for(route, expect, objs))
            for role in ROLES:
                check(fetch(clients[role], url), statuses[role], f"{role} ({scope})", route, findings)
            if scope == "inside":
                check(fetch(clients[ANONYMOUS], url), {expect.anon}, ANONYMOUS, route, findings)
    assert not findings, f"{len(findings)} unexpected answer(s):\n" + "\n".join(findings)


def test_the_world_gives_every_admin_page_a_row_to_show(users, world):
    missing = sorted({r.key for r in routes() if r.route.startswith("admin/") and r.key.endswith(ADMIN_MODEL_ACTIONS)
                      and r.kwarg_names and admin_object_id(r.key) is None})
    assert not missing, f"the walk would only see a redirect for: {missing}"


def test_partners_never_get_the_admin_or_the_audit_log(users):
    client = Client()
    client.force_login(users[Role.PARTNER])
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get("/admin/").status_code == 302
