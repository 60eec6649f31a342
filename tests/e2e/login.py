"""Logging in through the real login form, as a person would."""

from tests.factories import PASSWORD


def log_in(journey, user, *, password=PASSWORD):
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    assert "/accounts/login/" not in page.url, f"login as {user.username} failed: still on {page.url}"
    return page
