from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "port.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards and reports"

    def ready(self):
        from . import facts

        facts.connect_signals()
