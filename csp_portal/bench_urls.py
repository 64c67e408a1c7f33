"""The portal's URLs plus the benchmarks' ceilings (csp_portal.settings.bench only)."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from core.access import public, signed_in
from csp_portal import urls as portal_urls


@public
@never_cache
def trivial_view(request):
    """The cheapest answer through the portal's middleware: no database, no template."""
    return JsonResponse({"status": "ok"})


@signed_in
@never_cache
def signed_in_trivial_view(request):
    """The same for a signed-in user: what knowing who it is, and for which partner, costs."""
    return JsonResponse({"status": "ok"})


@public
@never_cache
def select_one_view(request):
    """The same, plus one round trip to PostgreSQL through the connection pool."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return JsonResponse({"status": "ok", "value": value})


urlpatterns = [
    path("bench/trivial", trivial_view, name="bench_trivial"),
    path("bench/signed-in", signed_in_trivial_view, name="bench_signed_in"),
    path("bench/select1", select_one_view, name="bench_select1"),
    *portal_urls.urlpatterns,
]

handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
