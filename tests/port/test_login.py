"""Logging in: each role lands on its own page and sees its own navigation."""

import pytest
from django.urls import reverse

from port.accounts.navigation import LANDING, NAV_ITEMS
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_lands_on_its_page(client, users, role, totp_code):
    user = users[role]
    if user.needs_otp:
        code = totp_code(user)  # the device set up earlier on the two-factor page
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    if user.needs_otp:
        assert response.redirect_chain[-1][0].startswith(reverse("otp_verify"))
        response = client.post(response.redirect_chain[-1][0], {"token": code}, follow=True)
    assert response.status_code == 200
    final_url = response.redirect_chain[-1][0]
    assert final_url == reverse(LANDING[role])
    html = response.content.decode()
    for item in NAV_ITEMS:
        link = f'href="{reverse(item.url_name)}"'
        if role in item.roles:
            assert link in html, f"{role} should see {item.label}"
        else:
            assert link not in html, f"{role} must not see {item.label}"


def test_a_wrong_password_is_refused_and_audited(client, users):
    response = client.post(reverse("login"), {"username": users[Role.OUTREACH].username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed").count() == 1


def test_login_and_logout_are_audited(client, users):
    user = users[Role.COORDINATOR]
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.filter(user=user).order_by("id").values_list("action", flat=True))
    assert actions == ["login", "logout"]


def test_passwords_are_hashed_with_argon2(users):
    assert users[Role.OUTREACH].password.startswith("argon2")


def test_password_change_works(client, users):
    user = users[Role.OUTREACH]
    client.force_login(user)
    new = "a-much-longer-new-passphrase-42"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_reset_sends_a_link(client, users, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": users[Role.OUTREACH].email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body
