from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "port.audit"
    label = "audit"
    verbose_name = "Audit log"
