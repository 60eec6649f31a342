"""Navigation by role, and each role's landing page."""

from dataclasses import dataclass

from django.urls import reverse

from .roles import Role

ALL = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR, Role.OUTREACH})
COORD = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR})
REPORTS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COORDINATOR, Role.OUTREACH})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset


NAV_ITEMS = [
    NavItem("My worklist", "followups:worklist", frozenset({Role.OUTREACH, Role.COORDINATOR})),
    NavItem("Team worklist", "followups:team_worklist", COORD),
    NavItem("Failed clock actions", "followups:clock_failures", COORD),
    NavItem("Visits", "followups:visits", frozenset({Role.PARTNER})),
    NavItem("Survivors", "survivors:list", STAFF),
    NavItem("Record event", "survivors:event_create", COORD),
    NavItem("Import", "survivors:import_upload", COORD),
    NavItem("Referrals", "referrals:list", STAFF),
    NavItem("Resources", "referrals:resource_list", STAFF),
    NavItem("Dashboard", "dashboards:dashboard", REPORTS),
    NavItem("Audit log", "audit:log", frozenset({Role.ADMIN, Role.SUPERVISOR})),
    NavItem("Admin", "admin:index", frozenset({Role.ADMIN})),
]

LANDING = {
    Role.ADMIN: "dashboards:dashboard",
    Role.SUPERVISOR: "dashboards:dashboard",
    Role.COORDINATOR: "followups:team_worklist",
    Role.OUTREACH: "followups:worklist",
    Role.PARTNER: "followups:visits",
}


def nav_for(user, current_path=""):
    items = []
    for item in NAV_ITEMS:
        if user.role in item.roles:
            url = reverse(item.url_name)
            items.append({"label": item.label, "url": url, "active": current_path.startswith(url) and url != "/"})
    return items


def landing_url(user):
    return reverse(LANDING[user.role])
