from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self):
        from core.metrics import scrape_counter_register, scrape_gauge_register
        from webhooks.events import representation_register
        from webhooks.models import EventType

        from .sweeps import cancellations_pending_count, cancellations_total, credits_total
        from .webhook_data import credit_data, order_data, purchase_data

        representation_register(EventType.ORDER_CREATED, order_data)
        representation_register(EventType.PURCHASE_CANCELLATION_REQUESTED, purchase_data)
        representation_register(EventType.PURCHASE_CANCELLED, purchase_data)
        representation_register(EventType.CREDIT_BOOKED, credit_data)

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
