from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners and users"

    def ready(self):
        from . import auth_backends, signals  # noqa: F401 - connect their receivers
