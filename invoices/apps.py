from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "invoices"

    def ready(self):
        from core.metrics import scrape_counter_register

        from .sweeps import invoices_issued_total

        scrape_counter_register(
            "portal_invoices_issued", "Invoices ever issued.", invoices_issued_total
        )
