from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from core import views as core_views
from dashboard import views as dashboard_views
from partners.admin_login import admin_login_view

api_v1 = [
    path("", include("partners.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("software.api.urls")),
    path("", include("activity_log.api.urls")),
    path("", include("support.api.urls")),
    path("", include("invoices.api.urls")),
    path("", include("webhooks.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # Redoc writes its styles into <style> elements and searches in a blob: worker, at run
        # time: this page alone may do both (it shows the public schema, nothing else).
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="docs",
    ),
]

# Before admin.site.urls is read: the admin's login route then serves this view.
admin.site.login = admin_login_view

urlpatterns = [
    path("", dashboard_views.home_view, name="home"),
    path("healthz", core_views.healthz_view, name="healthz"),
    path("metrics", core_views.metrics_view, name="metrics"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("v1/", include((api_v1, "api"))),
    path("", include("partners.urls")),
    path("", include("customers.urls")),
    path("", include("catalog.urls")),
    path("", include("orders.urls")),
    path("", include("software.urls")),
    path("", include("support.urls")),
    path("", include("activity_log.urls")),
    path("", include("invoices.urls")),
    path("", include("webhooks.urls")),
]

handler400 = core_views.bad_request_view
handler403 = core_views.permission_denied_view
handler404 = core_views.not_found_view
handler500 = core_views.server_error_view

admin.site.site_header = "CSP Partner Portal — operator admin"
if settings.DEBUG:
    admin.site.site_title = "CSP Partner Portal (development)"
