"""Two-factor authentication: required for supervisors and admins, optional (or program-wide) for others."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from port.accounts.navigation import landing_url
from port.accounts.roles import Role
from port.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def log_in_with_password(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)


def test_a_supervisor_without_a_device_is_sent_to_set_one_up_and_sees_nothing_else(client, users):
    supervisor = users[Role.SUPERVISOR]
    response = log_in_with_password(client, supervisor)
    assert response.redirect_chain[-1][0].startswith(reverse("otp_setup"))
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert reverse("audit:log") not in html  # no navigation until the second factor
    for url in (reverse("audit:log"), reverse("survivors:list"), reverse("dashboards:dashboard"), "/admin/"):
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked["Location"].startswith(reverse("otp_setup")), url


def test_setting_up_the_app_with_a_correct_code_opens_the_pages(client, users, totp_code):
    supervisor = users[Role.SUPERVISOR]
    log_in_with_password(client, supervisor)
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    response = client.post(
        reverse("otp_setup"), {"token": totp_code(device), "next": reverse("audit:log")}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("audit:log")
    assert "Two-factor authentication is on" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(user=supervisor, action="change", detail="two-factor device set up").exists()


def test_a_wrong_code_at_setup_says_what_to_do_and_keeps_the_same_qr_code(client, users):
    supervisor = users[Role.SUPERVISOR]
    first = log_in_with_password(client, supervisor)
    qr = re.search(r'src="(data:image/svg\+xml;base64,[^"]+)"', first.content.decode()).group(1)
    response = client.post(reverse("otp_setup"), {"token": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "That code did not match" in html
    assert qr in html
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()


def test_letters_in_the_code_get_a_clear_message(client, users):
    client.force_login(users[Role.SUPERVISOR], otp=False)
    response = client.post(reverse("otp_setup"), {"token": "12ab56"})
    assert "Enter the 6 digits your authenticator app shows" in response.content.decode()


def test_a_supervisor_with_a_device_must_enter_a_code_at_each_login(client, users, totp_code):
    supervisor = users[Role.SUPERVISOR]
    totp_code(supervisor)  # device set up on an earlier day
    response = log_in_with_password(client, supervisor)
    verify_url = response.redirect_chain[-1][0]
    assert verify_url.startswith(reverse("otp_verify"))

    wrong = client.post(verify_url, {"token": "000000"})
    assert "That code did not match" in wrong.content.decode()
    assert client.get(reverse("audit:log")).status_code == 302
    assert AuditEvent.objects.filter(user=supervisor, action="login_failed", detail="wrong second-factor code").exists()

    device = TOTPDevice.objects.get(user=supervisor)
    device.throttle_reset()
    right = client.post(verify_url, {"token": totp_code(supervisor)}, follow=True)
    assert right.redirect_chain[-1][0] == landing_url(supervisor)
    assert client.get(reverse("audit:log")).status_code == 200
    assert AuditEvent.objects.filter(user=supervisor, action="login", detail="second factor").exists()


def test_a_stolen_password_cannot_replace_the_device(client, users, totp_code):
    supervisor = users[Role.SUPERVISOR]
    totp_code(supervisor)
    client.force_login(supervisor, otp=False)
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_verify"))
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=False).exists()


def test_an_admin_needs_the_second_factor_too(client, users):
    client.force_login(users[Role.ADMIN], otp=False)
    assert client.get("/admin/")["Location"].startswith(reverse("otp_setup"))


def test_an_htmx_request_is_redirected_by_htmx(client, users):
    client.force_login(users[Role.SUPERVISOR], otp=False)
    response = client.get(reverse("audit:log"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("otp_setup"))


def test_an_outreach_worker_is_not_asked_unless_the_program_requires_it(client, users):
    outreach = users[Role.OUTREACH]
    response = log_in_with_password(client, outreach)
    assert response.redirect_chain[-1][0] == landing_url(outreach)
    client.logout()
    with override_settings(OTP_REQUIRED_FOR_ALL=True):
        response = log_in_with_password(client, outreach)
        assert response.redirect_chain[-1][0].startswith(reverse("otp_setup"))


def test_an_outreach_worker_who_set_up_a_device_is_asked_for_a_code(client, users, totp_code):
    outreach = users[Role.OUTREACH]
    totp_code(outreach)
    response = log_in_with_password(client, outreach)
    assert response.redirect_chain[-1][0].startswith(reverse("otp_verify"))


def test_moving_to_a_new_phone_replaces_the_old_device(client, users, totp_code):
    supervisor = users[Role.SUPERVISOR]
    old = TOTPDevice.objects.create(user=supervisor, name="old phone", confirmed=True)
    client.force_login(supervisor)  # verified with the old phone
    page = client.get(reverse("otp_setup"))
    assert "Two-factor authentication is on for your account" in page.content.decode()
    new = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    client.post(reverse("otp_setup"), {"token": totp_code(new)})
    assert list(TOTPDevice.objects.filter(user=supervisor).values_list("pk", flat=True)) == [new.pk]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_with_enforcement_off_the_demo_lets_a_supervisor_in(client, users):
    with override_settings(OTP_ENFORCED=False):
        response = log_in_with_password(client, users[Role.SUPERVISOR])
    assert response.redirect_chain[-1][0] == landing_url(users[Role.SUPERVISOR])
