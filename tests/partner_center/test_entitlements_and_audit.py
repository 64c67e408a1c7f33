"""Partner Center's entitlement and audit record samples, ids and dates from the world."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

from django.utils import timezone

from .shapes import assert_collection, assert_echoes_sample_ids


def _assert_entitlement(entitlement: dict, world) -> None:
    assert set(entitlement) >= {"includedEntitlements", "referenceOrder", "productId", "quantity",
                                "entitledArtifacts", "skuId", "entitlementType"}
    assert entitlement["entitlementType"] == "software"
    assert isinstance(entitlement["quantity"], int)
    assert isinstance(entitlement["referenceOrder"]["lineItemId"], str)
    assert entitlement["includedEntitlements"] == entitlement["entitledArtifacts"] == []


def test_get_a_collection_of_entitlements__request_example(world, pc):
    """develop/get-a-collection-of-entitlements.md, Request example: every entitlement."""
    response = pc.get(f"/v1/customers/{world.customer_id}/entitlements")
    assert response.status_code == 200
    assert_echoes_sample_ids(response)
    items = assert_collection(response.json(), "Entitlement")
    assert str(world.order.id) in {item["referenceOrder"]["id"] for item in items}
    for item in items:
        _assert_entitlement(item, world)


def test_get_a_collection_of_entitlements__request_example_software_with_expiry(world, pc):
    """develop/get-a-collection-of-entitlements.md, Request example with the lower-case
    `entitlementtype=software` and `showExpiry=true` (software has no expiry to show)."""
    response = pc.get(
        f"/v1/customers/{world.customer_id}/entitlements?entitlementtype=software&showExpiry=true"
    )
    assert response.status_code == 200
    items = assert_collection(response.json(), "Entitlement")
    assert items
    refused = pc.get(f"/v1/customers/{world.customer_id}/entitlements?entitlementtype=azure")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_entitlement_type")


def test_get_a_record_of_partner_center_activity_by_user__request_example(world, pc):
    """develop/get-a-record-of-partner-center-activity-by-user.md, Request example: a Partner
    Center date (`M/D/YYYY h:mm:ss AM`, moved into the portal's retention) and a CustomerId
    filter."""
    start = timezone.now() - timedelta(days=3)
    start_text = quote(f"{start.month}/{start.day}/{start.year} 12:00:00 AM")
    customer_filter = quote(
        json.dumps({"Field": "CustomerId", "Value": world.customer_id, "Operator": "equals"})
    )
    response = pc.get(f"/v1/auditrecords?startDate={start_text}&filter={customer_filter}")
    assert response.status_code == 200, response.content
    assert_echoes_sample_ids(response)
    items = assert_collection(response.json(), "AuditRecord")
    assert "create_order" in {item["operationType"] for item in items}
    for item in items:
        assert item["customerId"] == world.customer_id
        assert set(item) >= {"partnerId", "customerName", "userPrincipalName", "resourceType",
                             "operationType", "operationDate", "operationStatus",
                             "customizedData"}
        assert item["operationDate"].endswith("Z")


def test_get_a_record_of_partner_center_activity_by_user__resource_type_filter(world, pc):
    """develop/get-a-record-of-partner-center-activity-by-user.md, Request syntax: the
    ResourceType filter, with Partner Center's value as its SDK sends it (`Order`)."""
    resource_filter = quote('{"Field":"ResourceType","Value":"Order","Operator":"equals"}')
    response = pc.get(f"/v1/auditrecords?filter={resource_filter}")
    assert response.status_code == 200, response.content
    items = assert_collection(response.json(), "AuditRecord")
    assert items and {item["resourceType"] for item in items} == {"order"}
