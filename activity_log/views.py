from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from activity.services import activity_log_export_record
from core.access import requires
from core.roles import Action

from .display import chart_layout, log_rows
from .export import csv_lines, csv_response, event_export_batches
from .forms import ActivityLogForm, default_range
from .ranges import EARLIEST_DAY, LATEST_DAY, MAX_RANGE_DAYS
from .selectors import event_counts, event_page

# As the customer list and the API: a screenful, and half the rendering of fifty rows.
PAGE_SIZE = 25


def _bound_form(request) -> ActivityLogForm:
    """The filters from the query string, the last 30 days where no dates were given."""
    data = request.GET.copy()
    first_day, last_day = default_range(today=timezone.localdate())
    if not data.get("start"):
        data["start"] = first_day.isoformat()
    if not data.get("end"):
        data["end"] = last_day.isoformat()
    return ActivityLogForm(data)


def _page_context(form: ActivityLogForm) -> dict:
    """The form and the range rules the page states."""
    return {
        "form": form, "max_range_days": MAX_RANGE_DAYS,
        "earliest_year": EARLIEST_DAY.year, "latest_year": LATEST_DAY.year,
    }


def _query_without_page(form: ActivityLogForm) -> str:
    """The filters as shown, dates included, for the next-page and export links."""
    params = form.data.copy()
    params.pop("after", None)
    return params.urlencode()


@requires(Action.VIEW_ACTIVITY_LOG)
def activity_log_view(request):
    form = _bound_form(request)
    context = {**_page_context(form), "query": _query_without_page(form)}
    if form.is_valid():
        tz = timezone.get_current_timezone()
        filters = form.filters(tz=tz)
        page = event_page(filters=filters, after=form.cleaned_data.get("cursor"), size=PAGE_SIZE)
        kind, periods = event_counts(filters=filters, tz=tz)
        context.update(
            page=page, rows=log_rows(events=page.events),
            chart=chart_layout(kind=kind, periods=periods),
            is_first_page=not form.cleaned_data.get("after"),
        )
    return render(request, "activity/log.html", context, status=200 if form.is_valid() else 400)


@requires(Action.VIEW_ACTIVITY_LOG)
def activity_log_export_view(request):
    form = _bound_form(request)
    if not form.is_valid():
        return render(request, "activity/log.html", _page_context(form), status=400)
    filters = form.filters(tz=timezone.get_current_timezone())
    activity_log_export_record(
        partner=request.user.partner, actor=request.user, filters=filters.described
    )
    data = form.cleaned_data
    return csv_response(
        lines=csv_lines(batches=event_export_batches(filters=filters)),
        filename=f"activity-log-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.csv",
    )
