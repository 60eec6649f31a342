"""Re-encrypt every encrypted field with the newest key in FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it), restart,
run this command, then remove the old key. See docs/security.md.
"""

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError

from port.crypto import rotate_encrypted_fields


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        try:
            counts = rotate_encrypted_fields(batch_size=batch_size)
        except InvalidToken as exc:
            raise CommandError(
                "A stored value could not be decrypted with any key in FIELD_ENCRYPTION_KEYS. Keep every "
                "old key (after the new one) until this command has finished, then remove them."
            ) from exc
        for name, rows in counts.items():
            self.stdout.write(f"{name}: {rows} value(s) re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Done: {sum(counts.values())} value(s) now use the newest key."))
