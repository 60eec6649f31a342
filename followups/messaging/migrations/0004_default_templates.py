"""The default templates (followups/messaging/defaults.py); this only adds what is missing."""

from django.db import migrations

from followups.messaging.defaults import DEFAULTS


def add_defaults(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for name, channel, language, body in DEFAULTS:
        MessageTemplate.objects.get_or_create(
            name=name, channel=channel, language=language, defaults={"body": body, "active": True}
        )


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0003_delivery_claims_and_purpose"),
    ]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
