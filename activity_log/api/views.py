from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer

from activity.models import OperationType, ResourceType
from activity.services import activity_log_export_record
from activity_log.export import csv_lines, csv_response, event_export_batches
from activity_log.ranges import (
    EARLIEST_DAY,
    LATEST_DAY,
    MAX_RANGE_DAYS,
    day_in_window_check,
    moment_in_window_check,
    moment_range_check,
)
from activity_log.selectors import CustomerMatch, EventFilters, event_list
from core.api.pagination import PAGING_PARAMETERS
from core.api.partner_center import partner_center_datetime
from core.errors import PortalError
from core.roles import Action

from .serializers import AuditRecordOutput, resource_type_of

DEFAULT_RANGE = timedelta(days=30)
FILTER_EXAMPLE = '{"Field":"CompanyName","Value":"Contoso","Operator":"substring"}'
# Partner Center's filter forms, plus the two the portal adds: (Field, Operator) -> filter.
FILTER_FORMS = {
    ("CompanyName", "substring"), ("CustomerId", "equals"), ("ResourceType", "equals"),
    ("OperationType", "equals"), ("UserPrincipalName", "equals"),
}


class AuditRecordCsvRenderer(BaseRenderer):
    """Chosen by `Accept: text/csv`; the view streams the CSV itself, errors stay problem+json."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


DATE_DESCRIPTION = "ISO 8601 date or date-time, or Partner Center's (6/1/2017 12:00:00 AM)"


class DateOrDateTimeField(serializers.Field):
    """An ISO 8601 or Partner Center date (a whole UTC day) or date-time (UTC without offset)."""

    default_error_messages = {
        "invalid": _(
            "Use an ISO 8601 date (2026-01-31) or date-time (2026-01-31T18:30:00Z), or Partner "
            "Center's form (1/31/2026 or 1/31/2026 6:30:00 PM)."
        ),
    }

    def to_internal_value(self, data) -> date | datetime:
        text = str(data).strip()
        partner_center = partner_center_datetime(text)
        if partner_center is not None:
            return partner_center
        try:
            if "T" not in text and " " not in text:
                return date.fromisoformat(text)
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail("invalid")
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class AuditRecordQueryInput(serializers.Serializer):
    startDate = DateOrDateTimeField(required=False)
    endDate = DateOrDateTimeField(required=False)
    filter = serializers.CharField(required=False, max_length=1000)

    def validate(self, data):
        # The range rules answer with their own codes (activity_log.ranges), as on the page.
        for field in ("startDate", "endDate"):
            if isinstance(data.get(field), datetime):
                moment_in_window_check(moment=data[field], field=field)
            elif field in data:
                day_in_window_check(day=data[field], field=field)
        end = _end_of(data["endDate"]) if "endDate" in data else timezone.now()
        start = _start_of(data["startDate"]) if "startDate" in data else end - DEFAULT_RANGE
        if start > end:
            raise serializers.ValidationError(
                {"startDate": _("startDate must not be after endDate.")}
            )
        moment_range_check(start=start, end=end, field="startDate")
        return {**data, "start": start, "end": end}


def _start_of(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.min, tzinfo=UTC)


def _end_of(value: date | datetime) -> datetime:
    """A date-time is the exclusive end; a date includes its whole UTC day."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value + timedelta(days=1), time.min, tzinfo=UTC)


def _invalid_filter(message: str) -> PortalError:
    return PortalError(message, code="invalid_filter", field="filter")


def _filter_fields(raw: str) -> dict:
    """EventFilters fields for one Partner Center filter object."""
    try:
        spec = json.loads(raw)
        field, value, operator = spec["Field"], str(spec["Value"]).strip(), spec["Operator"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _invalid_filter(
            _("filter must be JSON like %(example)s.") % {"example": FILTER_EXAMPLE}
        ) from exc
    if (field, str(operator).lower()) not in FILTER_FORMS:
        raise _invalid_filter(_(
            "filter supports CompanyName with substring, and CustomerId, ResourceType, "
            "OperationType or UserPrincipalName with equals."
        ))
    if field == "CompanyName":
        return {"customer": CustomerMatch(how="name_contains", value=value)}
    if field == "CustomerId":
        try:
            return {"customer": CustomerMatch(how="tenant_id", value=str(uuid.UUID(value)))}
        except ValueError as exc:
            raise _invalid_filter(_("CustomerId is the customer's tenant GUID.")) from exc
    if field == "ResourceType":
        value = resource_type_of(value)
        if value not in ResourceType.values:
            raise _invalid_filter(_("ResourceType is one of: %(values)s.")
                                  % {"values": ", ".join(ResourceType.values)})
        return {"resource_type": value}
    if field == "OperationType":
        if value not in OperationType.values:
            raise _invalid_filter(_("OperationType is one of: %(values)s.")
                                  % {"values": ", ".join(OperationType.values)})
        return {"operation_types": (value,)}
    return {"user_email": value}


class AuditRecordListApi(ListAPIView):
    required_action = Action.VIEW_ACTIVITY_LOG
    serializer_class = AuditRecordOutput
    renderer_classes = [JSONRenderer, AuditRecordCsvRenderer]
    ordering = ("-occurred_at", "-id")
    # An exact count of a year at ten million events takes seconds (docs/benchmarks/activity.md),
    # so totalCount is the number of records on this page, as in Partner Center's audit records.
    count_total = False

    @extend_schema(
        summary="The partner's audit records (activity log), newest first",
        description=(
            "Dates are ISO 8601: a date covers that whole UTC day, a date-time without an offset "
            "is UTC, and a date-time `endDate` is exclusive. Defaults: `endDate` now, "
            f"`startDate` 30 days before it. A range covers at most {MAX_RANGE_DAYS} days "
            f"(`date_range_too_long`), between the years {EARLIEST_DAY.year} and "
            f"{LATEST_DAY.year} (`date_out_of_range`); "
            f"export a longer period in parts. `filter` takes one object such as "
            f"`{FILTER_EXAMPLE}`. With `Accept: text/csv` the whole range streams as CSV and "
            "the export is itself recorded."
        ),
        parameters=[
            OpenApiParameter("startDate", str, description=DATE_DESCRIPTION),
            OpenApiParameter("endDate", str, description=DATE_DESCRIPTION),
            OpenApiParameter(
                "filter", str,
                description='{"Field":"CompanyName","Value":"...","Operator":"substring"}, '
                '{"Field":"CustomerId"|"ResourceType"|"OperationType"|"UserPrincipalName",'
                '"Value":"...","Operator":"equals"}',
            ),
            *PAGING_PARAMETERS,
        ],
        responses={
            (200, "application/json"): AuditRecordOutput(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The whole range"),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def filters(self) -> EventFilters:
        query = AuditRecordQueryInput(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        extra = _filter_fields(data["filter"]) if data.get("filter") else {}
        return EventFilters(
            start=data["start"], end=data["end"], **extra,
            described={"startDate": data["start"].isoformat(), "endDate": data["end"].isoformat(),
                       "filter": data.get("filter", "")},
        )

    def get_queryset(self):
        return event_list(filters=self.filters())

    def get_serializer_context(self):
        return {**super().get_serializer_context(),
                "partner_number": self.request.user.partner.partner_number}

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "csv":
            return super().list(request, *args, **kwargs)
        # The CSV is not paged, but a `size` the JSON answer refuses is refused here too.
        self.paginator.get_page_size(request)
        filters = self.filters()
        activity_log_export_record(
            partner=request.user.partner, actor=request.user, filters=filters.described
        )
        return csv_response(
            lines=csv_lines(batches=event_export_batches(filters=filters)),
            filename=f"auditrecords-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv",
        )
