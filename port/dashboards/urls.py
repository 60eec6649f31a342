from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rows/<slug:key>/", views.rows, name="rows"),
    path("rows/<slug:key>/csv/", views.rows_export, name="rows_export"),
    path("export/table/<slug:table>.csv", views.export_table, name="export_table"),
    path("export/events-deidentified.csv", views.export_deidentified, name="export_deidentified"),
    path("export/events-identified.csv", views.export_identified, name="export_identified"),
    path("report/", views.report, name="report"),
]
