from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "invoices"

    def ready(self):
        from core.metrics import scrape_counter_register
        from webhooks.events import representation_register
        from webhooks.models import EventType

        from .sweeps import invoices_issued_total
        from .webhook_data import invoice_data

        representation_register(EventType.INVOICE_ISSUED, invoice_data)

        scrape_counter_register(
            "portal_invoices_issued", "Invoices ever issued.", invoices_issued_total
        )
