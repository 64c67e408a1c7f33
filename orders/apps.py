from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from core.metrics import scrape_gauge_register

        from .sweeps import cancellations_pending_count

        scrape_gauge_register(
            "portal_cancellations_pending",
            "Cancellations requested and not yet completed: due, or waiting out the delay.",
            cancellations_pending_count,
            labels=("state",),
        )
