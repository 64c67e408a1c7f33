"""/v1/servicerequests: partner staff file and follow their requests; support staff triage.

Reading and annotating a request is open to two actions (SPEC §1: partner staff who file support
requests, and support staff), which one `required_actions` entry cannot name. So only filing is
declared per method; the other methods find the request among those the caller may see, and a
request outside them (another partner's, or any for a role that follows none) is a 404.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.exceptions import PROBLEM_CONTENT_TYPE, problem
from core.api.pagination import PAGING_PARAMETERS, ContinuationPagination, collection_of
from core.api.partner_center import PartnerCenterJSONParser
from core.api.permissions import RoleRequiredError
from core.api.schema import FORBIDDEN, problem_responses
from core.errors import NotFound, PortalError, TooLarge
from core.roles import Action, role_needed_label, user_can
from customers.selectors import customer_get
from orders.refundable import REFUND_EXCEEDS_REFUNDABLE
from support import selectors, services, staff_selectors
from support.attachments import EXTENSIONS
from support.choices import Impact, Status, SupportTopic
from support.downloads import attachment_response
from support.intake import ServiceRequestDraft, ServiceRequestInvalid, amount_parse
from support.triage import ServiceRequestChange, service_request_update
from support.uploads import upload_cap_install, upload_too_large_message

from .serializers import (
    API_FIELDS,
    ServiceRequestCreateInput,
    ServiceRequestOutput,
    ServiceRequestUpdateInput,
    service_request_representation,
)

_FILTERS = {
    "status": ("status", Status.values),
    "supportTopic": ("topic", SupportTopic.values),
    "impact": ("impact", Impact.values),
}
_PARSERS = [PartnerCenterJSONParser, MultiPartParser]
UPLOAD_TOO_LARGE = "The files are larger than the portal accepts."


def _is_staff(user) -> bool:
    return user_can(user, Action.TRIAGE_SUPPORT_REQUESTS)


def _request_for(user, request_id: int):
    """The request with the conversation the caller may read; 404 outside what they may see."""
    if _is_staff(user):
        return staff_selectors.service_request_get_any(request_id=request_id)
    if user_can(user, Action.FILE_SUPPORT_REQUESTS):
        return selectors.service_request_get(request_id=request_id)
    raise NotFound(_("Support request not found."))


def _one(service_request) -> dict:
    """One request with its conversation and, for a refund, what remains refundable."""
    return service_request_representation(
        service_request,
        with_conversation=True,
        refundable=staff_selectors.service_request_refundable(service_request),
    )


def _invalid(error: ServiceRequestInvalid) -> Response:
    errors = [
        {"field": API_FIELDS.get(field, field), "detail": message}
        for field, message in error.problems.items()
    ]
    detail = errors[0]["detail"] if len(errors) == 1 else _("The request has invalid fields.")
    body = problem(status_code=400, code=error.code, detail=detail, errors=errors)
    return Response(body, status=400, content_type=PROBLEM_CONTENT_TYPE)


FILING_RESPONSES = {
    201: ServiceRequestOutput,
    **problem_responses(
        {
            400: "The input is invalid; `errors` names each field at fault. The code is "
            f"`{REFUND_EXCEEDS_REFUNDABLE}` when the one problem is an amountRequested "
            "above what can still be refunded of the order or subscription (the detail "
            "says how much can), else `invalid_service_request`.",
            413: UPLOAD_TOO_LARGE,
        }
    ),
}


def _page_of(requests, *, request, view) -> Response:
    paginator = ContinuationPagination()
    page = paginator.paginate_queryset(requests, request, view=view)
    return paginator.get_paginated_response(
        [service_request_representation(r, with_conversation=False) for r in page]
    )


def _check_upload(cap) -> None:
    if cap.exceeded:
        raise TooLarge(upload_too_large_message(), code="upload_too_large")


class ServiceRequestCollectionApi(APIView):
    required_actions = {"POST": Action.FILE_SUPPORT_REQUESTS}
    parser_classes = _PARSERS
    ordering = ("-id",)

    @extend_schema(
        summary="The partner's support requests, newest first (support staff: every partner's)",
        parameters=[
            OpenApiParameter("status", str, enum=Status.values),
            OpenApiParameter("supportTopic", str, enum=SupportTopic.values),
            OpenApiParameter("impact", str, enum=Impact.values),
            *PAGING_PARAMETERS,
        ],
        responses={200: collection_of(ServiceRequestOutput), **problem_responses({403: FORBIDDEN})},
    )
    def get(self, request):
        user = request.user
        if _is_staff(user):
            requests = staff_selectors.service_request_list_any()
        elif user_can(user, Action.FILE_SUPPORT_REQUESTS):
            requests = selectors.service_request_list()
        else:
            raise RoleRequiredError(
                _("This needs one of these roles: %(roles)s.")
                % {"roles": role_needed_label(Action.FILE_SUPPORT_REQUESTS)}
            )
        for parameter, (field, allowed) in _FILTERS.items():
            value = request.query_params.get(parameter)
            if value is None:
                continue
            if value not in allowed:
                raise PortalError(
                    _("%(parameter)s is one of: %(values)s.")
                    % {"parameter": parameter, "values": ", ".join(allowed)},
                    code="invalid_filter", field=parameter,
                )
            requests = requests.filter(**{field: value})
        return _page_of(requests, request=request, view=self)

    @extend_schema(
        summary="Report a problem (JSON, or multipart/form-data with files)",
        request={
            "application/json": ServiceRequestCreateInput,
            "multipart/form-data": ServiceRequestCreateInput,
        },
        responses=FILING_RESPONSES,
    )
    def post(self, request, culture: str | None = None):
        cap = upload_cap_install(request)
        data = ServiceRequestCreateInput(data=request.data)
        _check_upload(cap)
        data.is_valid(raise_exception=True)
        fields, contact = data.validated_data, data.validated_data.get("contact") or {}
        draft = ServiceRequestDraft(
            topic=fields["supportTopic"], impact=fields["impact"], title=fields["title"],
            description=fields["description"], customer=fields["customerTenantIdOrDomain"],
            order=fields["orderId"], subscription=fields["subscriptionId"],
            refund_reason=fields["refundReason"], amount_requested=fields["amountRequested"],
            product=fields["productTitle"], contact_name=contact.get("name", ""),
            contact_email=contact.get("email", ""), contact_phone=contact.get("phone", ""),
        )
        try:
            created = services.service_request_file(
                partner=request.user.partner, actor=request.user, draft=draft,
                files=fields["files"],
            )
        except ServiceRequestInvalid as error:
            return _invalid(error)
        service_request = selectors.service_request_get(request_id=created.pk)
        return Response(_one(service_request), status=status.HTTP_201_CREATED)


class CustomerServiceRequestListApi(APIView):
    required_action = Action.FILE_SUPPORT_REQUESTS
    ordering = ("-id",)

    @extend_schema(
        summary="The partner's support requests about one customer, newest first",
        parameters=PAGING_PARAMETERS,
        responses=collection_of(ServiceRequestOutput),
    )
    def get(self, request, customer_id):
        customer = customer_get(customer_id=customer_id)
        return _page_of(
            selectors.service_request_list(customer=customer), request=request, view=self
        )


@extend_schema_view(post=extend_schema(
    operation_id="servicerequests_culture_create",
    responses={
        **FILING_RESPONSES,
        **problem_responses({
            405: "The path names a support request's number, not a culture: POST is not allowed.",
        }),
    },
))
class ServiceRequestCultureApi(ServiceRequestCollectionApi):
    """Partner Center's form of filing: the culture of the request's text in the path.

    The portal keeps the text as written, so the culture is accepted and not stored.
    """

    http_method_names = ["get", "post", "patch", "options"]

    # A request number that is not one (`/servicerequests/abc`) reads as a culture here: it
    # answers as an unknown request does on the numbered route.
    @extend_schema(exclude=True)
    def get(self, request, culture):
        raise NotFound(_("Support request not found."))

    @extend_schema(exclude=True)
    def patch(self, request, culture):
        raise NotFound(_("Support request not found."))


class ServiceRequestItemApi(APIView):
    parser_classes = _PARSERS

    @extend_schema(
        summary="One support request with its conversation", responses=ServiceRequestOutput
    )
    def get(self, request, request_id):
        service_request = _request_for(request.user, request_id)
        return Response(_one(service_request))

    @extend_schema(
        summary="Add a note (newNote{text}, files); support staff also set status, "
        "approvedAmount and resolution",
        request={
            "application/json": ServiceRequestUpdateInput,
            "multipart/form-data": ServiceRequestUpdateInput,
        },
        responses={
            200: ServiceRequestOutput,
            **problem_responses(
                {
                    403: "Only support staff set a status or write internal notes.",
                    409: "The request is closed, or cannot go from its status to the one asked, "
                    f"or (`{REFUND_EXCEEDS_REFUNDABLE}`) approvedAmount is more than can still "
                    "be refunded of the order or subscription.",
                    413: UPLOAD_TOO_LARGE,
                }
            ),
        },
    )
    def patch(self, request, request_id):
        cap = upload_cap_install(request)
        service_request = _request_for(request.user, request_id)
        data = ServiceRequestUpdateInput(data=request.data)
        _check_upload(cap)
        data.is_valid(raise_exception=True)
        try:
            service_request_update(
                actor=request.user,
                service_request=service_request,
                change=_change(data.validated_data),
            )
        except ServiceRequestInvalid as error:
            return _invalid(error)
        service_request = _request_for(request.user, request_id)
        return Response(_one(service_request))


def _change(fields: dict) -> ServiceRequestChange:
    note, status = fields.get("newNote"), fields.get("status")
    amount = None
    if status == Status.APPROVED and fields.get("approvedAmount"):
        try:
            amount = amount_parse(fields["approvedAmount"])
        except ValueError as exc:
            raise PortalError(
                _("approvedAmount is a positive number with a decimal point, like \"120.50\"."),
                code="invalid_amount", field="approvedAmount",
            ) from exc
    return ServiceRequestChange(
        note_text=None if note is None else note.get("text", ""),
        is_internal=(note or {}).get("isInternal", False),
        files=fields["files"],
        status=status,
        approved_amount=amount,
        resolution=fields.get("resolution", ""),
        decision_fields_given="approvedAmount" in fields or "resolution" in fields,
    )


class ServiceRequestFileApi(APIView):
    @extend_schema(
        summary="A file of a support request, as a download",
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file")
            for content_type in EXTENSIONS
        },
    )
    def get(self, request, request_id, attachment_id):
        user = request.user
        if _is_staff(user):
            attachment = staff_selectors.attachment_get_any(
                request_id=request_id, attachment_id=attachment_id
            )
        elif user_can(user, Action.FILE_SUPPORT_REQUESTS):
            attachment = selectors.attachment_get(
                request_id=request_id, attachment_id=attachment_id
            )
        else:
            raise NotFound(_("File not found."))
        return attachment_response(attachment)
