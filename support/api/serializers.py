from django.urls import reverse
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from core.api.partner_center import AttributesOutput, attributes
from core.money import decimal_text

# The service's field names as the API spells them, to point each problem at its input.
API_FIELDS = {
    "topic": "supportTopic",
    "customer": "customerTenantIdOrDomain",
    "order": "orderId",
    "subscription": "subscriptionId",
    "refund_reason": "refundReason",
    "amount_requested": "amountRequested",
    "product": "productTitle",
    "contact_name": "contact.name",
    "contact_email": "contact.email",
    "contact_phone": "contact.phone",
    "text": "newNote.text",
}


def _text(**kwargs):
    # Every rule on the words lives in support.intake, so both edges refuse alike.
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)


class ContactInput(serializers.Serializer):
    name = _text()
    email = _text()
    phone = _text()


# Partner Center's severities (service-request-resources.md) and the portal's impacts.
SEVERITY_TO_IMPACT = {"critical": "critical", "moderate": "medium", "minimal": "low"}
IMPACT_TO_SEVERITY = {"critical": "critical", "high": "moderate", "medium": "moderate",
                      "low": "minimal"}


class PrimaryContactInput(serializers.Serializer):
    firstName = _text()
    lastName = _text()
    email = _text()
    phoneNumber = _text()


class ServiceRequestCreateInput(serializers.Serializer):
    supportTopic = _text(help_text="csp_purchase_refund, billing_question, technical_problem, "
                         "account_access")
    impact = _text(help_text="critical, high, medium or low")
    title = _text()
    description = _text()
    customerTenantIdOrDomain = _text()
    orderId = _text(help_text="The order's id (UUID) or its alternate id")
    subscriptionId = _text()
    refundReason = _text()
    amountRequested = _text(help_text="In the order's currency, tax included, e.g. \"120.50\"")
    productTitle = _text()
    contact = ContactInput(required=False)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list,
        help_text="multipart/form-data only: up to 5 PDF, PNG, JPEG, text or CSV files",
    )
    severity = serializers.CharField(
        required=False, allow_null=True, default=None,
        help_text="Partner Center's: critical, moderate or minimal; read when impact is absent",
    )
    supportTopicId = serializers.CharField(
        required=False, allow_null=True, default=None,
        help_text="Partner Center's name for supportTopic; read when supportTopic is absent",
    )

    primaryContact = PrimaryContactInput(
        required=False, help_text="Partner Center's contact; read when contact is absent"
    )

    def validate(self, data):
        pc_contact = data.pop("primaryContact", None)
        if pc_contact and not data.get("contact"):
            name = f"{pc_contact['firstName']} {pc_contact['lastName']}".strip()
            data["contact"] = {"name": name, "email": pc_contact["email"],
                               "phone": pc_contact["phoneNumber"]}
        if not data["impact"] and data["severity"]:
            data["impact"] = SEVERITY_TO_IMPACT.get(data["severity"].lower(), data["severity"])
        if not data["supportTopic"] and data["supportTopicId"]:
            data["supportTopic"] = data["supportTopicId"]
        return data


class NewNoteInput(serializers.Serializer):
    text = _text()
    isInternal = serializers.BooleanField(
        required=False, default=False, help_text="Support staff only"
    )


class ServiceRequestUpdateInput(serializers.Serializer):
    newNote = NewNoteInput(required=False)
    status = serializers.CharField(
        required=False, allow_null=True,
        help_text="Support staff only; null or Partner Center's `none` leaves it as it is",
    )
    approvedAmount = serializers.CharField(
        required=False, help_text="Support staff only, with status approved"
    )
    resolution = serializers.CharField(
        required=False, allow_blank=True, help_text="Support staff only: the note of the decision"
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list,
        help_text="multipart/form-data only: files added with the note",
    )

    def validate(self, data):
        # Partner Center's clients send the whole resource back, with status "none".
        if data.get("status") in (None, "none"):
            data.pop("status", None)
        return data


class FileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    contentType = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uri = serializers.CharField()


class NoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    createdBy = serializers.CharField()
    createdByName = serializers.CharField(help_text="Partner Center's name for createdBy.")
    isFromSupport = serializers.BooleanField()
    isInternal = serializers.BooleanField()
    status = serializers.CharField(allow_null=True)
    createdDate = serializers.DateTimeField()
    files = FileOutput(many=True)


class ContactOutput(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class ServiceRequestOutput(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField()
    partnerId = serializers.CharField()
    supportTopic = serializers.CharField()
    supportTopicName = serializers.CharField()
    impact = serializers.CharField()
    severity = serializers.ChoiceField(
        choices=sorted(set(IMPACT_TO_SEVERITY.values())), help_text="Partner Center's impact."
    )
    supportTopicId = serializers.CharField(help_text="Partner Center's name for supportTopic.")
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    customerTenantId = serializers.CharField(allow_null=True)
    orderId = serializers.CharField(allow_null=True)
    subscriptionId = serializers.CharField(allow_null=True)
    productTitle = serializers.CharField()
    refundReason = serializers.CharField()
    amountRequested = serializers.CharField(allow_null=True)
    approvedAmount = serializers.CharField(allow_null=True)
    currencyCode = serializers.CharField()
    resolution = serializers.CharField()
    contact = ContactOutput()
    createdDate = serializers.DateTimeField()
    lastModifiedDate = serializers.DateTimeField()
    refundableAmount = serializers.CharField(
        allow_null=True, required=False,
        help_text="GET one only, refund requests: what can still be refunded now of the order or "
        "subscription it names (charged, less credits booked or held by a pending cancellation), "
        "in currencyCode; approving more is refused with `refund_exceeds_refundable`",
    )
    notes = NoteOutput(many=True, required=False, help_text="GET one only")
    files = FileOutput(many=True, required=False, help_text="GET one only: the filing's files")
    organization = inline_serializer(
        "ServiceRequestOrganization",
        {"id": serializers.CharField(), "name": serializers.CharField()},
    )
    attributes = AttributesOutput()


def _money(amount, currency: str) -> str | None:
    return None if amount is None else decimal_text(amount, currency)


def _file(service_request, attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "contentType": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uri": reverse(
            "api:servicerequest-file",
            kwargs={"request_id": service_request.pk, "attachment_id": attachment.pk},
        ),
    }


def service_request_representation(
    service_request, *, with_conversation: bool, refundable=None
) -> dict:
    """The request as API.md shapes it; the conversation is what the caller may read, and
    `refundable` (orders.refundable.Refundable) what remains refundable of what it names."""
    currency = service_request.currency_code
    body = {
        "id": str(service_request.pk),
        "number": service_request.number,
        "partnerId": str(service_request.partner.partner_number),
        "supportTopic": service_request.topic,
        "supportTopicName": str(service_request.get_topic_display()),
        "impact": service_request.impact,
        "severity": IMPACT_TO_SEVERITY[service_request.impact],
        "supportTopicId": service_request.topic,
        "title": service_request.title,
        "description": service_request.description,
        "status": service_request.status,
        "customerTenantId": (
            str(service_request.customer.entra_tenant_id) if service_request.customer else None
        ),
        "orderId": str(service_request.order_id) if service_request.order_id else None,
        "subscriptionId": str(service_request.purchase_id) if service_request.purchase_id else None,
        "productTitle": service_request.product_title,
        "refundReason": service_request.refund_reason,
        "amountRequested": _money(service_request.amount_requested, currency),
        "approvedAmount": _money(service_request.approved_amount, currency),
        "currencyCode": currency,
        "resolution": service_request.resolution,
        "contact": {
            "name": service_request.contact_name,
            "email": service_request.contact_email,
            "phone": service_request.contact_phone,
        },
        "createdDate": service_request.created_at,
        "lastModifiedDate": service_request.updated_at,
        "organization": {
            "id": str(service_request.partner.partner_number),
            "name": service_request.partner.name,
        },
        "attributes": attributes("ServiceRequest"),
    }
    if with_conversation:
        # Partners see "support", not which of the operator's staff wrote.
        author = {note.pk: "support" if note.is_from_support else note.author.email
                  for note in service_request.notes.all()}
        body["refundableAmount"] = (
            _money(refundable.remaining, currency) if refundable is not None else None
        )
        body["files"] = [_file(service_request, f) for f in service_request.filed_attachments]
        body["notes"] = [
            {
                "id": note.pk,
                "text": note.text,
                "createdBy": author[note.pk],
                "createdByName": author[note.pk],
                "isFromSupport": note.is_from_support,
                "isInternal": note.is_internal,
                "status": note.status_to or None,
                "createdDate": note.created_at,
                "files": [_file(service_request, f) for f in note.attachments.all()],
            }
            for note in service_request.notes.all()
        ]
    return ServiceRequestOutput(body).data
