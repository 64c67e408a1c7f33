"""The source's markets where Azure reservations are not available, as family exclusions."""

from django.db import migrations

from catalog.data.reservation_exclusions import (
    UNAVAILABLE_MARKETS,
    reservation_exclusions_populate,
)


def exclude_reservations(apps, schema_editor):
    reservation_exclusions_populate(apps.get_model("catalog", "MarketExclusion"))


def include_reservations(apps, schema_editor):
    MarketExclusion = apps.get_model("catalog", "MarketExclusion")
    MarketExclusion.objects.filter(
        market_id__in=set(UNAVAILABLE_MARKETS.values()), family="azure_reservation",
        product__isnull=True,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_markets")]

    operations = [migrations.RunPython(exclude_reservations, include_reservations)]
