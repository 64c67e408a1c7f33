"""One market per ISO 3166-1 country that django-countries lists (Kosovo, XK, through
COUNTRIES_OVERRIDE), with CLDR's currency, the standard tax rates of catalog.data.markets, and
tax-inclusive prices only in Australia and Brazil."""

from django.db import migrations

from catalog.data.markets import markets_populate


def create_markets(apps, schema_editor):
    markets_populate(apps.get_model("catalog", "Market"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_markets, migrations.RunPython.noop)]
