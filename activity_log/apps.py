from django.apps import AppConfig


class ActivityLogConfig(AppConfig):
    """The activity log as partners read it: the page, its chart, the CSV export and the API."""

    name = "activity_log"
    verbose_name = "Activity log"
