"""A NUL character in an address is a clear 400, never a database error's 500."""

import pytest
from django.test import Client

from core.roles import Role

ADDRESSES = [
    "/v1/invoices/%00",
    "/invoices/%00/",
    "/v1/products/%00?country=IT",
    "/customers/?q=%00",
    "/support/?q=%00",
    "/activity/?user=%00",
    "/v1/customers?filter=%00",
    "/catalogue/?market=%00",
    "/downloads/abc%00def",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_nul_character_in_the_address_is_a_bad_request(address, role_users, api_client_for):
    user = role_users[Role.GLOBAL_ADMIN]
    if address.startswith("/v1/"):
        response = api_client_for(user).get(address)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["code"] == "bad_request"
    else:
        client = Client()
        client.force_login(user)
        response = client.get(address)
        assert response.status_code == 400
        assert b"<html" in response.content.lower()
