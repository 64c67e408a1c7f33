"""Purchases whose cancellation window is still open, by partner and time: the dashboard and the
reminders ask for the ones closing soon."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0007_purchase'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='purchase',
            index=models.Index(condition=models.Q(('is_cancellable', True), ('status', 'active')), fields=['partner', 'purchased_at'], name='purchase_window_open'),
        ),
    ]
