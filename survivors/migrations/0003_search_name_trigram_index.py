"""A trigram index for the name search (`search_name LIKE '%part%'`), on PostgreSQL only.

Without it every search reads all survivors (40-100 ms at 100,000 people); with it, under a
millisecond (docs/performance.md). pg_trgm is a trusted extension (PostgreSQL 13+): the database
owner may create it. Where that is not allowed the index is skipped and search stays correct.
"""

from django.db import DatabaseError, migrations, transaction

INDEX = "survivors_survivor_search_name_trgm"


def up(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON survivors_survivor USING gin (search_name gin_trgm_ops)"
            )
    except DatabaseError as exc:
        print(f"\n  survivors: no trigram index for the name search ({exc}); search works, only slower.")


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("survivors", "0002_intake_matching_and_import")]
    operations = [migrations.RunPython(up, down)]
