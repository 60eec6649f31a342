from django.urls import path

from . import directory_views, views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/status/", views.change_status, name="change_status"),
    path("<int:pk>/treatment/", views.treatment_progress, name="treatment_progress"),
    path("new/survivor/<int:pk>/", views.create_for_survivor, name="create_for_survivor"),
    path("new/family/<int:pk>/", views.create_for_family, name="create_for_family"),
    path("resources/", directory_views.resource_list, name="resource_list"),
    path("resources/new/", directory_views.organization_create, name="organization_create"),
    path("resources/<int:pk>/edit/", directory_views.organization_edit, name="organization_edit"),
    path("resources/import/", directory_views.directory_import, name="directory_import"),
    path("resources/export.csv", directory_views.directory_export, name="directory_export"),
]
