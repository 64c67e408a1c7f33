from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal core"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.urls import register_converter

        from core import tenancy  # noqa: F401 - registers the partner-scope system check

        from .converters import CultureConverter, IdConverter
        from .sqlite import unicode_like_install

        # Before any URLconf is read: every app's URLs name their numeric ids <id:...>.
        register_converter(IdConverter, "id")
        register_converter(CultureConverter, "culture")

        connection_created.connect(unicode_like_install, dispatch_uid="core.unicode_like")
