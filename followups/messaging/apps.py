from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "followups.messaging"
    label = "messaging"
    verbose_name = "Messages (texts and calls)"
