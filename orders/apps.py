from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from core.metrics import scrape_counter_register, scrape_gauge_register

        from .sweeps import cancellations_pending_count, cancellations_total, credits_total

        scrape_gauge_register(
            "portal_cancellations_pending",
            "Cancellations requested and not yet completed: due, or waiting out the delay.",
            cancellations_pending_count,
            labels=("state",),
        )
        scrape_counter_register(
            "portal_cancellations",
            "Cancellations ever requested, and ever completed.",
            cancellations_total,
            labels=("stage",),
        )
        scrape_counter_register(
            "portal_credits_booked", "Credits ever booked, by kind.", credits_total,
            labels=("kind",),
        )
