from django.apps import AppConfig


class SurvivorsConfig(AppConfig):
    name = "survivors"
    verbose_name = "Survivors and overdose events"
