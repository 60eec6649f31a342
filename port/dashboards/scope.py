"""Whose numbers a dashboard shows: a worker's own, a coordinator's teams, or all teams.

Every queryset here starts from `visible_to(user)`; the scope only narrows it further.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from followups.models import FollowUp
from port.accounts.models import Team
from port.accounts.roles import Role
from referrals.models import Referral
from survivors.models import NaloxoneDistribution, OverdoseEvent, Survivor


def may_see_dashboard(user):
    """Staff who may see numbers and the rows behind them; never the partner role."""

    return user.is_authenticated and user.sees_clinical and not user.is_partner


@dataclass(frozen=True)
class Scope:
    user: object
    team_ids: tuple | None = None  # narrow to these teams; None: every team the user sees
    worker: object = None  # only this worker's own numbers (follow-ups assigned to them)

    @property
    def label(self):
        if self.worker is not None:
            return "Your own numbers: follow-ups assigned to you"
        if self.team_ids is None:
            return "All teams" if self.user.sees_all_teams else "Your teams"
        names = Team.objects.filter(pk__in=self.team_ids).values_list("name", flat=True)
        return ", ".join(names)

    def query(self):
        """GET parameters that select this scope again (ids only)."""

        if self.worker is None and self.team_ids and len(self.team_ids) == 1:
            return {"team": str(self.team_ids[0])}
        return {}

    def _teams(self, qs, path="team"):
        if self.team_ids is not None:
            qs = qs.filter(**{f"{path}__in": self.team_ids})
        elif not self.user.sees_all_teams:
            # Team numbers are the teams' own: not rows opened through a break-glass grant.
            qs = qs.filter(**{f"{path}__in": self.user.team_ids()})
        return qs

    def events(self):
        qs = self._teams(OverdoseEvent.objects.visible_to(self.user))
        if self.worker is not None:
            qs = qs.filter(Exists(FollowUp.objects.filter(event=OuterRef("pk"), assigned_to=self.worker)))
        return qs

    def followups(self):
        qs = self._teams(FollowUp.objects.visible_to(self.user))
        if self.worker is not None:
            qs = qs.filter(assigned_to=self.worker)
        return qs

    def referrals(self):
        qs = self._teams(Referral.objects.visible_to(self.user))
        if self.worker is not None:
            qs = qs.filter(made_by=self.worker)
        return qs

    def naloxone(self):
        qs = self._teams(NaloxoneDistribution.objects.visible_to(self.user))
        if self.worker is not None:
            qs = qs.filter(given_by=self.worker)
        return qs

    def survivors(self):
        return Survivor.objects.visible_to(self.user)

    def __post_init__(self):
        if self.team_ids is not None:
            object.__setattr__(self, "team_ids", tuple(self.team_ids))


def teams_for(user):
    """The teams a user may filter the dashboard by."""

    if user.sees_all_teams:
        return Team.objects.all()
    return Team.objects.filter(pk__in=user.team_ids())


def scope_for(user, team=None):
    """The scope a user's role allows; `team` narrows it for those who see several teams."""

    if not may_see_dashboard(user):
        raise PermissionDenied("The dashboard is for team staff.")
    if user.role == Role.OUTREACH:
        return Scope(user, worker=user)
    if team is not None:
        if not teams_for(user).filter(pk=team.pk).exists():
            raise PermissionDenied("Not one of your teams.")
        return Scope(user, team_ids=(team.pk,))
    return Scope(user)
