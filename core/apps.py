from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal core"

    def ready(self):
        from csp_portal import tenancy  # noqa: F401 - registers the partner-scope system check
