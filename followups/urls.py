from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("team/", views.team_worklist, name="team_worklist"),
    path("visits/", views.visits, name="visits"),
]
