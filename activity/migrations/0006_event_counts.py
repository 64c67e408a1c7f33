"""Per-quarter-hour event counts, kept by triggers in the inserting transaction (EventCount).

PostgreSQL: one statement-level trigger that adds up the statement's new rows, so a COPY of
200,000 events costs one aggregate, not 200,000 updates. SQLite: a row-level trigger.
Existing events are counted once here.
"""

import django.db.models.deletion
from django.db import migrations, models

OPERATION_CHOICES = [
    ('sign_in', 'Sign-in'), ('sign_in_failed', 'Failed sign-in'), ('sign_out', 'Sign-out'),
    ('invite_partner_user', 'User invited'), ('update_partner_user', 'User roles changed'),
    ('deactivate_partner_user', 'User deactivated'), ('create_api_token', 'API token created'),
    ('revoke_api_token', 'API token revoked'),
    ('mfa_changed', 'Multi-factor authentication changed'),
    ('create_customer', 'Customer created'), ('update_customer', 'Customer updated'),
    ('create_order', 'Order placed'), ('get_software_key', 'Software key accessed'),
    ('get_software_download_link', 'Download link issued'),
    ('software_download', 'Software downloaded'), ('cancel_order', 'Cancellation requested'),
    ('complete_cancellation', 'Cancellation completed'), ('create_credit', 'Credit booked'),
    ('create_service_request', 'Support request filed'),
    ('update_service_request', 'Support request updated'),
    ('export_activity_log', 'Activity log exported'),
]

POSTGRES_BUCKET = "date_bin('15 minutes', occurred_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
POSTGRES_CREATE = f"""
INSERT INTO activity_eventcount (partner_id, bucket, operation_type, events)
    SELECT partner_id, {POSTGRES_BUCKET}, operation_type, count(*)
    FROM activity_event WHERE partner_id IS NOT NULL GROUP BY 1, 2, 3;
CREATE OR REPLACE FUNCTION activity_event_count() RETURNS trigger AS $$
BEGIN
    INSERT INTO activity_eventcount AS counted (partner_id, bucket, operation_type, events)
        SELECT partner_id, {POSTGRES_BUCKET}, operation_type, count(*)
        FROM new_events WHERE partner_id IS NOT NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (partner_id, bucket, operation_type)
        DO UPDATE SET events = counted.events + EXCLUDED.events;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER activity_event_count AFTER INSERT ON activity_event
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION activity_event_count();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS activity_event_count ON activity_event;
DROP FUNCTION IF EXISTS activity_event_count();
"""

# Django keeps SQLite datetimes as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
def _sqlite_bucket(column: str) -> str:
    return (f"strftime('%Y-%m-%d %H:', {column}) || "
            f"printf('%02d:00', CAST(strftime('%M', {column}) AS INTEGER) / 15 * 15)")


SQLITE_CREATE = [
    f"""INSERT INTO activity_eventcount (partner_id, bucket, operation_type, events)
        SELECT partner_id, {_sqlite_bucket('occurred_at')}, operation_type, count(*)
        FROM activity_event WHERE partner_id IS NOT NULL GROUP BY 1, 2, 3;""",
    f"""CREATE TRIGGER activity_event_count AFTER INSERT ON activity_event
        WHEN NEW.partner_id IS NOT NULL
        BEGIN
            INSERT INTO activity_eventcount (partner_id, bucket, operation_type, events)
            VALUES (NEW.partner_id, {_sqlite_bucket('NEW.occurred_at')}, NEW.operation_type, 1)
            ON CONFLICT (partner_id, bucket, operation_type) DO UPDATE SET events = events + 1;
        END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS activity_event_count;"]


def create_counting(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_counting(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('activity', '0005_keyset_indexes'),
        ('partners', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventCount',
            fields=[
                ('pk', models.CompositePrimaryKey('partner', 'bucket', 'operation_type', blank=True, editable=False, primary_key=True, serialize=False)),
                ('bucket', models.DateTimeField()),
                ('operation_type', models.CharField(choices=OPERATION_CHOICES, max_length=40)),
                ('events', models.BigIntegerField()),
                ('partner', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner')),
            ],
        ),
        migrations.RunPython(create_counting, drop_counting),
    ]
