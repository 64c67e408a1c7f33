"""The key and download API that Partner Center never had (API.md, Software)."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import collection_of, whole_collection
from core.api.partner_center import AttributesOutput, attributes
from core.api.schema import problem_responses
from core.errors import PortalError, RoleRequired
from core.mfa import user_must_enrol_mfa
from core.numbers import id_parse
from core.ratelimits import RateLimited, rate_limit_check
from core.roles import Action
from customers.selectors import customer_get
from orders.models import PurchaseStatus
from orders.selectors import purchase_get
from software import services
from software.selectors import software_rows


class VariantInput(serializers.Serializer):
    version = serializers.CharField(max_length=64)
    language = serializers.CharField(max_length=16)
    fileType = serializers.CharField(max_length=64)


class EntitlementOutput(serializers.Serializer):
    id = serializers.CharField()
    entitlementType = serializers.CharField()
    productId = serializers.CharField()
    skuId = serializers.CharField()
    productName = serializers.CharField()
    quantity = serializers.IntegerField()
    referenceOrder = serializers.DictField()
    status = serializers.CharField()
    keyAvailable = serializers.BooleanField()
    variants = serializers.ListField(child=serializers.DictField())
    includedEntitlements = serializers.ListField(child=serializers.DictField())
    entitledArtifacts = serializers.ListField(child=serializers.DictField())
    attributes = AttributesOutput()


class KeysAndDownloadsOutput(serializers.Serializer):
    keys = serializers.ListField(child=serializers.CharField())
    downloadLink = serializers.DictField()


def _entitlement(row) -> dict:
    purchase = row.purchase
    product_id, sku_id, _availability = purchase.catalog_item_id.split(":")
    active = purchase.status == PurchaseStatus.ACTIVE
    return {
        "id": str(purchase.pk),
        "entitlementType": "software",
        "productId": product_id,
        "skuId": sku_id,
        "productName": purchase.product_title,
        "quantity": purchase.quantity if active else 0,
        "referenceOrder": {
            "id": str(purchase.order_id),
            # A string in Partner Center's Entitlement resource.
            "lineItemId": str(purchase.line_number),
            "alternateId": purchase.order.alternate_id,
        },
        "status": purchase.status,
        "keyAvailable": active and purchase.issues_keys,
        "variants": [
            {"version": v.version, "language": v.language, "fileType": v.file_type}
            for v in row.choices.variants
        ]
        if active
        else [],
        "includedEntitlements": [],
        "entitledArtifacts": [],
        "attributes": attributes("Entitlement"),
    }


class EntitlementListApi(APIView):
    required_action = Action.VIEW_CUSTOMERS

    @extend_schema(
        parameters=[OpenApiParameter("entitlementType", str, enum=["software"])],
        responses=collection_of(EntitlementOutput),
        summary="The customer's software purchases, cancelled ones included",
    )
    def get(self, request, customer_id):
        customer = customer_get(customer_id=customer_id)
        kind = request.query_params.get("entitlementType", "software")
        if kind.lower() != "software":
            raise PortalError(
                "entitlementType must be software.",
                code="invalid_entitlement_type",
                field="entitlementType",
            )
        rows = software_rows(customer=customer)
        items = [_entitlement(row) for row in rows]
        return Response(whole_collection(items, request=request))


class KeysAndDownloadsApi(APIView):
    required_action = Action.GET_KEYS_AND_DOWNLOADS

    @extend_schema(
        request=VariantInput,
        responses={
            200: KeysAndDownloadsOutput,
            **problem_responses({409: "The purchase is cancelled: no keys, no downloads."}),
        },
        summary="Show the activation keys and issue a fresh download link (Admin agent)",
    )
    def post(self, request, customer_id, entitlement_id):
        customer = customer_get(customer_id=customer_id)
        purchase_id = purchase_get(customer=customer, purchase_id=id_parse(entitlement_id)).pk
        if user_must_enrol_mfa(request.user):
            raise RoleRequired(
                "Enrol two-factor authentication in the portal before getting keys.",
                code="mfa_required",
            )
        data = VariantInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rate_limit_check(
                request,
                group="key-reveal",
                key="user",
                rate=settings.KEY_REVEAL_RATE,
                increment=True,
            )
        except RateLimited as error:
            raise Throttled(wait=error.retry_after, detail=error.message) from error
        result = services.keys_and_downloads_issue(
            partner=request.user.partner,
            actor=request.user,
            purchase_id=purchase_id,
            version=data.validated_data["version"],
            language=data.validated_data["language"],
            file_type=data.validated_data["fileType"],
            base_url=request.build_absolute_uri("/"),
        )
        link = result.download.link
        return Response(
            {
                "keys": result.keys,
                "downloadLink": {
                    "uri": result.download.uri,
                    "expiresAt": link.expires_at,
                    "downloadsRemaining": link.downloads_remaining,
                },
            }
        )
