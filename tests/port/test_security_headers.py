"""Headers and transport: CSP without inline script, HSTS, secure cookies, no-store, CSRF (htmx too)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from port.accounts.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_pages_with_personal_data_are_not_stored_and_carry_the_security_headers(client, users):
    client.force_login(users[Role.OUTREACH])
    response = client.get(reverse("survivors:list"))
    assert response["Cache-Control"] == "no-store, private"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_hsts_and_secure_cookies_in_production(client, users, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.post(reverse("login"), {"username": users[Role.OUTREACH].username, "password": PASSWORD},
                           secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.cookies["sessionid"]["httponly"] and response.cookies["sessionid"]["secure"]
    login_page = Client().get(reverse("login"), secure=True)
    assert login_page.cookies["csrftoken"]["secure"]


def test_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_COOKIE", "CSRF_COOKIE"))}
    env.update(DJANGO_DEBUG="false", ALLOWED_HOSTS="port.example.org", SECRET_KEY=secrets.token_urlsafe(50))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_post_without_the_csrf_token_is_refused(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.OUTREACH])
    assert client.post(reverse("notifications")).status_code == 403


def test_htmx_requests_send_the_csrf_token_from_the_page(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.OUTREACH])
    html = client.get(reverse("notifications")).content.decode()
    token = re.search(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", html).group(1)
    response = client.post(reverse("notifications"), headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 200


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)  # `{% include ... with style=... %}` is no attribute
JS_URL = re.compile(r"href\s*=\s*[\"']\s*javascript:", re.I)


def inline_code_in(html):
    """What a strict CSP (script-src/style-src 'self') would block in this HTML."""

    html = TEMPLATE_TAG.sub("", html)
    problems = []
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("on*= handler", INLINE_HANDLER),
                          ("style= attribute", STYLE_ATTRIBUTE), ("javascript: URL", JS_URL)):
        problems += [f"{name}: {m.group(0).strip()[:60]}" for m in pattern.finditer(html)]
    return problems


def test_no_template_has_inline_script_handlers_or_styles():
    found = {}
    for path in sorted((ROOT / "templates").rglob("*.html")) + sorted(ROOT.glob("*/templates/**/*.html")):
        problems = inline_code_in(path.read_text())
        if problems:
            found[str(path.relative_to(ROOT))] = problems
    assert not found, f"the CSP would block these (move them to static/js or static/css): {found}"
