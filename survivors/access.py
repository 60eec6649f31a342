"""Who may use the intake pages: one decorator per capability (roles.py says who holds it)."""

from port.accounts.access import requires

coordinator_required = requires(
    lambda u: u.coordinates, "Only coordinators, supervisors and admins record events, import and merge."
)
clinical_required = requires(lambda u: u.sees_clinical, "Partner accounts do not see or change this.")
admin_required = requires(lambda u: u.role == "admin", "Only admins delete a person's record.")


def default_team(user):
    """The team a user's new records go to when they have exactly one; else None (they choose)."""

    ids = user.team_ids()
    if len(ids) == 1:
        from port.accounts.models import Team

        return Team.objects.get(pk=ids[0])
    return None
