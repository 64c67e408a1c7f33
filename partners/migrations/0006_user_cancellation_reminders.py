"""Cancellation reminders are a per-user choice, off until the user turns them on."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0005_user_language_chosen'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='cancellation_reminders',
            field=models.BooleanField(default=False, help_text="E-mail me 7 days and 1 day before a purchase's cancellation window closes.", verbose_name='cancellation reminders'),
        ),
    ]
