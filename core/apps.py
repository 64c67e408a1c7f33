from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from csp_portal import tenancy  # noqa: F401 - registers the partner-scope system check

        from .sqlite import unicode_like_install

        connection_created.connect(unicode_like_install, dispatch_uid="core.unicode_like")
