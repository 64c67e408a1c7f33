"""Support requests for tests: rows for pages and matrices that only need one to exist, and
helpers that file them through the real service, with files of each kind."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from core.tenancy import partner_scope
from partners.tests.factories import PartnerFactory, PartnerOwnedFactory, UserFactory
from support import services
from support.choices import Impact, SupportTopic
from support.intake import ServiceRequestDraft
from support.models import Attachment, ServiceRequest


class ServiceRequestFactory(PartnerOwnedFactory):
    class Meta:
        model = ServiceRequest

    partner = factory.SubFactory(PartnerFactory)
    filed_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..partner"))
    topic = SupportTopic.TECHNICAL_PROBLEM
    impact = Impact.MEDIUM
    title = factory.Sequence(lambda n: f"The portal misbehaves ({n})")
    description = "Something went wrong."
    contact_name = "Maria Rossi"
    contact_email = "maria.rossi@partner.example"
    contact_phone = "+390212345678"


class AttachmentFactory(PartnerOwnedFactory):
    """A file record whose bytes were never stored: downloading it answers 404."""

    class Meta:
        model = Attachment

    service_request = factory.SubFactory(ServiceRequestFactory)
    partner = factory.SelfAttribute("service_request.partner")
    uploaded_by = factory.SelfAttribute("service_request.filed_by")
    name = "notes.txt"
    stored_name = factory.LazyFunction(lambda: f"missing/{secrets.token_hex(16)}")
    content_type = "text/plain"
    size = 5
    sha256 = hashlib.sha256(b"notes").hexdigest()


# The smallest file each allowed type is recognised by.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
# What a Windows executable starts with: "MZ", then the DOS stub.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + (
    b"PE\x00\x00" + b"\x00" * 64
)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refund_draft(customer, order, /, **changes) -> ServiceRequestDraft:
    fields = {
        "topic": "csp_purchase_refund",
        "impact": "high",
        "title": "Refund Visio bought by mistake",
        "customer": str(customer.entra_tenant_id),
        "order": str(order.id),
        "refund_reason": "Bought for the wrong customer.",
        "amount_requested": "122.00",
        "contact_name": "Maria Rossi",
        "contact_email": "maria.rossi@northwind.example",
        "contact_phone": "+39 02 1234 5678",
    }
    return ServiceRequestDraft(**{**fields, **changes})


def file_request(user, draft: ServiceRequestDraft, files=()):
    with partner_scope(user.partner):
        return services.service_request_file(
            partner=user.partner, actor=user, draft=draft, files=list(files)
        )


def as_support(support_user, service_request, call, **kwargs):
    """Run a triage service as support staff do: in the request's partner scope."""
    with partner_scope(service_request.partner):
        return call(
            partner=service_request.partner, actor=support_user,
            request_id=service_request.pk, **kwargs,
        )
