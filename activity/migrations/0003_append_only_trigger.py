"""The database itself refuses UPDATE and DELETE on activity events (SPEC §5).

TRUNCATE stays allowed: it needs table ownership, which the web role does not have in production,
and dropping whole months is how retention and the test runner's flush work.
"""

from django.db import migrations

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION activity_event_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'activity events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER activity_event_append_only
    BEFORE UPDATE OR DELETE ON activity_event
    FOR EACH ROW EXECUTE FUNCTION activity_event_refuse_change();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS activity_event_append_only ON activity_event;
DROP FUNCTION IF EXISTS activity_event_refuse_change();
"""
SQLITE_CREATE = [
    """CREATE TRIGGER activity_event_no_update BEFORE UPDATE ON activity_event
       BEGIN SELECT RAISE(ABORT, 'activity events are append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER activity_event_no_delete BEFORE DELETE ON activity_event
       BEGIN SELECT RAISE(ABORT, 'activity events are append-only: DELETE refused'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS activity_event_no_update;",
    "DROP TRIGGER IF EXISTS activity_event_no_delete;",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("activity", "0002_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
