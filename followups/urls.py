from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("team/", views.team_worklist, name="team_worklist"),
    path("visits/", views.visits, name="visits"),
    path("clock-failures/", views.clock_failures_list, name="clock_failures"),
    path("clock-failures/<int:pk>/retry/", views.retry_clock_action, name="retry_clock_action"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/attempts/new/", views.log_attempt, name="log_attempt"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/close-unreached/", views.confirm_unreached, name="confirm_unreached"),
]
