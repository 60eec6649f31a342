"""Loads demo data: two teams, one login per role, and survivors and events in every state.

Safe to run again: when the demo team exists it only prints the logins.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from port.accounts.models import Team, User
from port.accounts.roles import Role

DEMO_PASSWORD = "port-demo-2026"
DEMO_USERS = [
    ("admin", "Ada", "Admin", Role.ADMIN),
    ("supervisor", "Sam", "Supervisor", Role.SUPERVISOR),
    ("coordinator", "Cora", "Coordinator", Role.COORDINATOR),
    ("outreach", "Omar", "Outreach", Role.OUTREACH),
    ("outreach2", "Olivia", "Outreach", Role.OUTREACH),
    ("partner", "Pat", "Partner", Role.PARTNER),
]


class Command(BaseCommand):
    help = "Load demo data and print the demo logins."

    def handle(self, *args, **options):
        if Team.objects.filter(name="North County PORT").exists():
            self.stdout.write("Demo data already loaded.")
        else:
            # The demo's staff notifications would each print an email to the console.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
                self.load()
        self.print_logins()

    def load(self):
        north = Team.objects.create(name="North County PORT")
        south = Team.objects.create(name="South County PORT")
        users = {}
        for username, first, last, role in DEMO_USERS:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                role=role,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            user.teams.add(north)
            users[username] = user
        south_worker = User.objects.create_user(
            username="south-outreach", password=DEMO_PASSWORD, first_name="Sol", last_name="South",
            role=Role.OUTREACH,
        )
        south_worker.teams.add(south)
        north.on_call_worker = users["outreach"]
        north.save()
        south.on_call_worker = south_worker
        south.save()

        from port.demo import load_domain_demo

        load_domain_demo(teams=[north, south], users=users, stdout=self.stdout)

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {Role(role).label}")
