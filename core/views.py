import sys

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.access import public
from core.api.exceptions import problem_response
from core.mfa import user_is_operator_staff, user_must_enrol_mfa

from .errors import NotFound
from .health import health_report
from .metrics import metrics_authorized, metrics_payload
from .outages import RETRY_AFTER_SECONDS, Outage, outage_of


@public
@never_cache
def healthz_view(request):
    user = request.user
    report = health_report(
        with_details=user_is_operator_staff(user) and not user_must_enrol_mfa(user)
    )
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@public
@never_cache
def metrics_view(request):
    """Prometheus's scrape, for the holder of METRICS_TOKEN only; without a token, no page."""
    if not settings.METRICS_TOKEN:
        raise NotFound(_("Not found."))
    if not metrics_authorized(request.headers.get("Authorization", "")):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = metrics_payload()
    return HttpResponse(body, content_type=content_type)


def _wants_problem(request) -> bool:
    return request.path.startswith("/v1/")


def not_found_view(request, exception=None):
    if _wants_problem(request):
        return problem_response(status_code=404, code="not_found", detail="Not found.")
    return render(request, "404.html", status=404)


def permission_denied_view(request, exception=None):
    if _wants_problem(request):
        return problem_response(status_code=403, code="permission_denied", detail="Forbidden.")
    return render(request, "403.html", status=403)


def bad_request_view(request, exception=None):
    if _wants_problem(request):
        return problem_response(status_code=400, code="bad_request", detail="Bad request.")
    return render(request, "400.html", status=400)


def _unavailable(request, outage: Outage) -> HttpResponse:
    if _wants_problem(request):
        response = problem_response(status_code=503, code=outage.code, detail=outage.detail)
    else:
        # As for the 500 page: no request context, whose processors would ask the database.
        page = loader.get_template("503.html").render({"detail": outage.detail})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error_view(request):
    # Django calls this handler while handling the exception, so the exception is at hand.
    outage = outage_of(sys.exc_info()[1])
    if outage is not None:
        return _unavailable(request, outage)
    if _wants_problem(request):
        return problem_response(
            status_code=500, code="server_error", detail="The server could not answer this time."
        )
    # No request context: its processors read the session, and the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
