from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "port.accounts"
    label = "accounts"
    verbose_name = "Accounts, roles and teams"

    def ready(self):
        from . import signals  # noqa: F401
