from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and seeding commands: installed everywhere, imported by no domain app."""

    name = "demo"
    verbose_name = "Demo data"
