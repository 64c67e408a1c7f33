"""The database refuses a credit that would take an order or a purchase past what was charged.

The services check the same rule first, under a lock on the order (orders.refundable), and give
the partner a message; this is the backstop for a bug that skips them. For every inserted or
updated credit: its currency is its order's; its purchase (if any) belongs to its order; the
order's credits (its purchases' and the order-level refunds) stay within the order's total, and
the purchase's credits within the purchase's total, tax included. On PostgreSQL the trigger locks
the order row first (FOR NO KEY UPDATE, as orders.refundable.order_lock does), so two credits for
one order are judged one after the other even when no service took the lock. SQLite runs one writer at a time, so its sums need no lock; it stores
decimals as floating point, so the sums are compared rounded to the columns' 4 decimals.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION orders_credit_within_charge() RETURNS trigger AS $$
DECLARE
    charged numeric;
    charged_currency varchar;
    line_order uuid;
    credited numeric;
BEGIN
    SELECT total, currency_code INTO charged, charged_currency
        FROM orders_order WHERE id = NEW.order_id FOR NO KEY UPDATE;
    IF NEW.currency_code IS DISTINCT FROM charged_currency THEN
        RAISE EXCEPTION 'credit in % for an order in %', NEW.currency_code, charged_currency
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT COALESCE(SUM(total), 0) INTO credited
        FROM orders_credit WHERE order_id = NEW.order_id AND id IS DISTINCT FROM NEW.id;
    IF credited + NEW.total > charged THEN
        RAISE EXCEPTION 'credits of % for order % would exceed the % charged',
            credited + NEW.total, NEW.order_id, charged USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.purchase_id IS NOT NULL THEN
        SELECT total, order_id INTO charged, line_order
            FROM orders_orderline WHERE id = NEW.purchase_id;
        IF line_order IS DISTINCT FROM NEW.order_id THEN
            RAISE EXCEPTION 'purchase % is not part of order %', NEW.purchase_id, NEW.order_id
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT COALESCE(SUM(total), 0) INTO credited
            FROM orders_credit
            WHERE purchase_id = NEW.purchase_id AND id IS DISTINCT FROM NEW.id;
        IF credited + NEW.total > charged THEN
            RAISE EXCEPTION 'credits of % for purchase % would exceed the % charged',
                credited + NEW.total, NEW.purchase_id, charged USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER orders_credit_within_charge
    BEFORE INSERT OR UPDATE ON orders_credit
    FOR EACH ROW EXECUTE FUNCTION orders_credit_within_charge();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS orders_credit_within_charge ON orders_credit;
DROP FUNCTION IF EXISTS orders_credit_within_charge();
"""
# `id IS NOT NEW.id` leaves the row itself out of the sums on UPDATE and nothing out on INSERT,
# where NEW.id may still be NULL.
SQLITE_REFUSAL = """
BEGIN SELECT RAISE(ABORT, 'credits may not exceed what was charged for the order or purchase');
END"""
SQLITE_CONDITION = """
    NEW.currency_code IS NOT (SELECT currency_code FROM orders_order WHERE id = NEW.order_id)
    OR ROUND(
        (SELECT COALESCE(SUM(total), 0) FROM orders_credit
         WHERE order_id = NEW.order_id AND id IS NOT NEW.id) + NEW.total, 4
    ) > ROUND((SELECT total FROM orders_order WHERE id = NEW.order_id), 4)
    OR (
        NEW.purchase_id IS NOT NULL AND (
            (SELECT order_id FROM orders_orderline WHERE id = NEW.purchase_id)
                IS NOT NEW.order_id
            OR ROUND(
                (SELECT COALESCE(SUM(total), 0) FROM orders_credit
                 WHERE purchase_id = NEW.purchase_id AND id IS NOT NEW.id) + NEW.total, 4
            ) > ROUND((SELECT total FROM orders_orderline WHERE id = NEW.purchase_id), 4)
        )
    )
"""
SQLITE_CREATE = [
    f"CREATE TRIGGER orders_credit_within_charge_{event.lower()} BEFORE {event} ON orders_credit "
    f"WHEN {SQLITE_CONDITION} {SQLITE_REFUSAL};"
    for event in ("INSERT", "UPDATE")
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS orders_credit_within_charge_insert;",
    "DROP TRIGGER IF EXISTS orders_credit_within_charge_update;",
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
    dependencies = [("orders", "0004_credit_order")]

    operations = [
        migrations.AlterField(
            model_name="credit",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="credits",
                to="orders.order",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
