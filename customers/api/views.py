import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import PAGING_PARAMETERS
from core.api.schema import problem_responses
from core.errors import PortalError
from core.roles import Action
from customers import selectors, services

from .serializers import CustomerCreateInput, CustomerOutput


def _filter_lookup(raw: str) -> dict[str, str]:
    """Partner Center's `filter` JSON: {"Field": ..., "Value": ..., "Operator": "starts_with"}."""
    try:
        spec = json.loads(raw)
        field, value = spec["Field"], str(spec["Value"])
        operator = spec.get("Operator", "starts_with")
    except (ValueError, KeyError, TypeError) as exc:
        raise PortalError(
            _('filter must be JSON like {"Field":"CompanyName","Value":"Con"}.'),
            code="invalid_filter",
            field="filter",
        ) from exc
    if field not in selectors.FILTER_FIELDS or operator != "starts_with":
        raise PortalError(
            _("filter Field is one of CompanyName, Domain, TenantId; Operator is starts_with."),
            code="invalid_filter",
            field="filter",
        )
    if field == "TenantId":
        value = str(services.parse_tenant_id(value))
    return {"field": field, "value": value}


class CustomerCollectionApi(ListAPIView):
    required_actions = {"GET": Action.VIEW_CUSTOMERS, "POST": Action.EDIT_CUSTOMERS}
    serializer_class = CustomerOutput
    ordering = ("company_name", "id")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "filter",
                str,
                description='{"Field":"CompanyName"|"Domain"|"TenantId",'
                '"Value":"...","Operator":"starts_with"}',
            ),
            *PAGING_PARAMETERS,
        ],
        summary="The partner's customers",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        raw_filter = self.request.query_params.get("filter")
        return selectors.customer_list(**(_filter_lookup(raw_filter) if raw_filter else {}))

    @extend_schema(
        request=CustomerCreateInput,
        responses={
            201: CustomerOutput,
            **problem_responses({409: "The partner already has a customer with this tenant."}),
        },
        summary="Add a customer",
    )
    def post(self, request):
        data = CustomerCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = data.validated_data["companyProfile"]
        billing = data.validated_data.get("billingProfile") or {}
        address = company["address"]
        customer = services.customer_create(
            partner=request.user.partner,
            actor=request.user,
            entra_tenant_id=company["tenantId"],
            profile=services.CustomerProfile(
                company_name=company["companyName"],
                primary_domain=company["domain"],
                country=address["country"],
                contact_email=company["email"],
                contact_name=billing.get("contactName", ""),
                contact_phone=billing.get("phone", ""),
                address_line1=address["addressLine1"],
                address_line2=address["addressLine2"],
                city=address["city"],
                region=address["region"],
                postal_code=address["postalCode"],
            ),
        )
        return Response(CustomerOutput(customer).data, status=status.HTTP_201_CREATED)


class CustomerGetApi(APIView):
    required_action = Action.VIEW_CUSTOMERS

    @extend_schema(responses=CustomerOutput, summary="One customer, by tenant GUID")
    def get(self, request, customer_id):
        return Response(CustomerOutput(selectors.customer_get(customer_id=customer_id)).data)
