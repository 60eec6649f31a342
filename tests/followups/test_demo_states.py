"""The demo shows the clock in every state a team meets: running, escalated, proposed for closing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from followups.models import FollowUp
from port.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_escalated_and_proposed_followups_and_the_worklists_open(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))

    open_ = FollowUp.objects.filter(status="open")
    assert open_.filter(escalated_at__isnull=False).exists()
    assert open_.filter(closing_proposed_at__isnull=False).exists()
    assert open_.filter(escalated_at__isnull=True, kind="initial").exists()
    for username, url in (("outreach", "followups:worklist"), ("coordinator", "followups:team_worklist"),
                          ("partner", "followups:visits")):
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse(url)).status_code == 200
    proposed = open_.filter(closing_proposed_at__isnull=False).first()
    client.force_login(User.objects.get(username="coordinator"))
    assert 'id="confirm-unreached"' in client.get(reverse("followups:detail", args=[proposed.pk])).content.decode()
