from django.urls import path

from . import event_views, import_views, record_views, views

app_name = "survivors"
urlpatterns = [
    path("", views.survivor_list, name="list"),
    path("<int:pk>/", views.survivor_detail, name="detail"),
    path("<int:pk>/history/", views.survivor_history, name="history"),
    path("<int:pk>/edit/", views.survivor_edit, name="edit"),
    path("<int:pk>/delete/", views.survivor_delete, name="delete"),
    path("<int:pk>/merge/", views.survivor_merge, name="merge"),
    path("<int:pk>/merge/<int:other_pk>/", views.survivor_merge_confirm, name="merge_confirm"),
    path("lookup/", views.survivor_lookup, name="lookup"),
    path("<int:pk>/family/new/", record_views.family_create, name="family_create"),
    path("family/<int:pk>/edit/", record_views.family_edit, name="family_edit"),
    path("<int:pk>/consents/new/", record_views.consent_create, name="consent_create"),
    path("consents/<int:pk>/revoke/", record_views.consent_revoke, name="consent_revoke"),
    path("<int:pk>/naloxone/new/", record_views.naloxone_create, name="naloxone_create"),
    path("naloxone/anonymous/", record_views.naloxone_anonymous, name="naloxone_anonymous"),
    path("events/new/", event_views.event_create, name="event_create"),
    path("events/matches/", event_views.match_candidates, name="match_candidates"),
    path("events/unmatched/", event_views.unmatched_list, name="unmatched"),
    path("events/<int:pk>/", event_views.event_detail, name="event_detail"),
    path("events/<int:pk>/attach/", event_views.event_attach, name="event_attach"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/<int:pk>/columns/", import_views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/preview/", import_views.import_preview, name="import_preview"),
    path("import/<int:pk>/start/", import_views.import_start, name="import_start"),
    path("import/<int:pk>/", import_views.import_status, name="import_status"),
    path("import/<int:pk>/rows-to-fix.csv", import_views.import_bad_rows, name="import_bad_rows"),
]
