from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "followups.messaging"
    label = "messaging"
    verbose_name = "Messages (texts and calls)"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
