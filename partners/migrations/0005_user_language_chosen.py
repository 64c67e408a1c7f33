"""A user's language is empty until they choose one; the browser's then decides, else the
partner's document language.

Until now every user got "en" by default, chosen or not: those become empty, so an Italian
partner's staff with Italian browsers see Italian. Another language was a real choice (or an
Italian partner's document language given at invitation) and is kept. Going back gives the
empty ones "en" again, the old default.
"""

from django.db import migrations, models


def english_default_becomes_unchosen(apps, schema_editor) -> None:
    apps.get_model("partners", "User").objects.filter(language="en").update(language="")


def unchosen_becomes_english(apps, schema_editor) -> None:
    apps.get_model("partners", "User").objects.filter(language="").update(language="en")


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0004_pending_invitees_become_invitations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("en", "English"), ("it", "Italiano")],
                default="",
                max_length=8,
                verbose_name="language",
            ),
        ),
        migrations.RunPython(english_default_becomes_unchosen, unchosen_becomes_english),
    ]
