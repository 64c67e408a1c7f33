"""Each credit names its order, and a pending cancellation holds the credit it previewed.

Both feed the rule that credits never exceed what was charged (orders.refundable): an order-level
refund has no purchase, so its order must be on the row for the cap (and the trigger of 0005) to
count it. Existing rows are filled in: a purchase's credit takes the purchase's order, a refund
takes its support request's order and purchase, a pending cancellation holds its previewed credit.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from orders.refundable import purchase_credit


def backfill(apps, schema_editor):
    Credit = apps.get_model("orders", "Credit")
    OrderLine = apps.get_model("orders", "OrderLine")
    ServiceRequest = apps.get_model("support", "ServiceRequest")
    Credit.objects.filter(purchase__isnull=False).update(
        order_id=Subquery(OrderLine.objects.filter(pk=OuterRef("purchase_id")).values("order_id"))
    )
    refunds = ServiceRequest.objects.filter(credit_id=OuterRef("pk"))
    Credit.objects.filter(purchase__isnull=True).update(
        order_id=Subquery(refunds.values("order_id")),
        purchase_id=Subquery(refunds.values("purchase_id")),
    )
    for line in OrderLine.objects.filter(status="pendingCancellation"):
        line.cancellation_credit_total = purchase_credit(
            purchase=line, at=line.cancellation_requested_at
        ).total
        line.save(update_fields=["cancellation_credit_total"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_cancellation"),
        ("support", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="credit",
            name="order",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="credits",
                to="orders.order",
            ),
        ),
        migrations.AddField(
            model_name="orderline",
            name="cancellation_credit_total",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
