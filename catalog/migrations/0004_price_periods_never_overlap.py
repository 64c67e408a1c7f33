"""On PostgreSQL, the database itself refuses two overlapping price periods of one availability.

An exclusion constraint over half-open ranges [valid_from, valid_to) needs btree_gist for the
equality on availability_id. SQLite, the embedded default, has no such constraint, so this
migration does nothing there and model validation remains the guard.
"""

from django.db import migrations

CONSTRAINT = "catalog_price_periods_never_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Creating the extension needs a role allowed to (the owner of the database on PostgreSQL 13+,
    # since btree_gist is a trusted extension).
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE catalog_price ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(availability_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE catalog_price DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_reservation_exclusions")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
