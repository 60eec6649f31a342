from django.urls import path

from . import views

app_name = "survivors"
urlpatterns = [
    path("", views.survivor_list, name="list"),
    path("events/new/", views.event_create, name="event_create"),
    path("import/", views.import_upload, name="import_upload"),
]
