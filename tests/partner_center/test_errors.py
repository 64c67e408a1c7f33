"""Partner Center's error response (error-codes.md): `code` and `description` on every error."""

from __future__ import annotations

import uuid


def test_error_codes__not_found_carries_description_and_partner_center_code(world, pc):
    """develop/error-codes.md, Error responses: NotFound is Partner Center's 1000."""
    response = pc.get(f"/v1/customers/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["partnerCenterCode"]) == ("not_found", 1000)
    assert problem["description"] == problem["detail"] and problem["description"]


def test_error_codes__invalid_offer_id_is_800004(world, pc):
    """develop/error-codes.md, Error codes: "Invalid offer Id" (800004) for an unknown offer."""
    response = pc.post(
        f"/v1/customers/{world.customer_id}/orders",
        {"LineItems": [{"LineItemNumber": 0, "OfferId": "NOPE:0001:NOPE", "Quantity": 1}]},
        format="json",
    )
    assert response.status_code == 400
    problem = response.json()
    assert (problem["code"], problem["partnerCenterCode"]) == ("invalid_catalog_item", 800004)
    assert problem["errors"][0]["field"] == "lineItems.0"


def test_error_codes__error_without_partner_center_equivalent_has_no_number(world, pc):
    """develop/error-codes.md: only errors with an equivalent there get a partnerCenterCode."""
    response = pc.get("/v1/invoices/unbilled/lineitems?currencycode=EURO")
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "invalid_currency_code"
    assert "partnerCenterCode" not in problem and problem["description"]
