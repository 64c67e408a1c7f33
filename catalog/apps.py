from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

from .data.markets import markets_populate
from .data.reservation_exclusions import reservation_exclusions_populate


# `migrate` passes its migrated state's models as `apps`; `flush` passes none, so the current ones.
def _reference_data_restore(sender, using, apps=global_apps, **kwargs) -> None:
    """Recreate the shipped markets and exclusions when a flush has emptied the markets."""
    # As contenttypes does: a `flush` (by hand, or after each transactional test) would otherwise
    # leave a portal without markets. A migrated database always has markets, so there this does
    # nothing, and never brings back an exclusion an operator removed.
    try:
        market_model = apps.get_model("catalog", "Market")
        exclusion_model = apps.get_model("catalog", "MarketExclusion")
    except LookupError:  # the catalogue is not migrated (yet, or any more)
        return
    if market_model.objects.using(using).exists():
        return
    markets_populate(market_model)
    reservation_exclusions_populate(exclusion_model)
    from .caching import catalog_changed

    catalog_changed()


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self) -> None:
        from .caching import catalog_changes_connect

        post_migrate.connect(_reference_data_restore, sender=self)
        catalog_changes_connect()
