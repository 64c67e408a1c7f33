"""Numeric ids in paths and query strings are ASCII digits; anything else names nothing.

Python's int() and str.isdigit() take "²" (isdigit, then int() fails: a 500), "٣" and "１" (both
pass: another way to spell an id), " 7", "+7" and "1_0". Every route of tests/routes.py with a
numeric id is walked with such values, by a user who may reach it and owns the other objects.
"""

from __future__ import annotations

import re

import pytest

from core.numbers import ascii_int, id_parse
from customers.tests.factories import CustomerFactory
from tests.routes import all_routes
from tests.test_route_matrix import (
    OBJECT_OF,
    OPAQUE_KWARGS,
    SHARED_OBJECT_OF,
    OwnObjects,
    _allowed,
    _request,
)

NOT_ASCII_DIGITS = ["²", "٣", "１", "+1", "-1", " 1", "1 ", "1_0", "0x1", "1.0", "1e3", ""]
# A NUL is refused before any view reads the path (core.middleware.NulCharacterMiddleware).
NUL = "%00"
# 2**63 and beyond: past every database's integer, where SQLite raises instead of finding nothing.
TOO_LARGE = ["9223372036854775808", "9" * 30, "9" * 5000]
# Routes where a partner object's id is not held to a UUID by its converter.
ROUTES = [
    route
    for route in all_routes()
    if any(re.search(rf"<(id|int|str):{kwarg}>", route.pattern) for kwarg in OBJECT_OF)
]


def _own_values(route, own) -> dict[str, object]:
    values = {}
    for kwarg in route.kwargs:
        if kwarg in OPAQUE_KWARGS:
            values[kwarg] = OPAQUE_KWARGS[kwarg]
        elif kwarg in SHARED_OBJECT_OF:
            values[kwarg] = SHARED_OBJECT_OF[kwarg]()
        else:
            values[kwarg] = OBJECT_OF[kwarg](own)
    return values


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name or r.pattern)
def test_a_numeric_id_that_is_not_ascii_digits_is_404(
    route, outsider, support_user, client_for, api_client_for
):
    values = _own_values(route, OwnObjects(outsider))
    numeric = [kwarg for kwarg, value in values.items() if isinstance(value, int)]
    if not numeric:
        pytest.skip("its ids are not numbers (a tenant GUID, an invoice number)")
    # The outsider holds every partner role; the operator's queue is for support staff only.
    user = outsider if _allowed(route.access, outsider) else support_user
    client = api_client_for(user) if route.is_api else client_for(user)
    methods = [method for method, _access in route.method_access] or ["GET"]
    for kwarg in numeric:
        bad_ids = [*NOT_ASCII_DIGITS, *TOO_LARGE, f"{values[kwarg]}²", NUL]
        if route.is_api and route.pattern.endswith(f"<id:{kwarg}>"):
            # An empty last id leaves the collection's path and a trailing slash, which /v1 reads
            # as the collection, as Partner Center does (core/api/partner_center.py).
            bad_ids.remove("")
        for bad in bad_ids:
            expected, code = (400, "bad_request") if bad == NUL else (404, "not_found")
            path = route.path_with({**values, kwarg: bad})
            for method in methods:
                response = _request(client, route, path, method)
                if response.status_code == 302:  # a form refused before the lookup, sent back
                    response = client.get(response["Location"])
                assert response.status_code == expected, f"{method} {path[:120]!r}: {response}"
                if route.is_api:
                    assert response.json()["code"] == code


@pytest.mark.parametrize("size", ["٣", "１", "1_0", "+5", " 5", "²", "-1", "9" * 5000])
def test_a_page_size_that_is_not_ascii_digits_is_a_400(size, global_admin, api_client_for):
    response = api_client_for(global_admin).get("/v1/customers", {"size": size})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_page_size"


def test_a_page_size_of_zero_gives_the_default_page_as_partner_center_does(
    global_admin, api_client_for
):
    CustomerFactory.create_batch(3, partner=global_admin.partner)
    response = api_client_for(global_admin).get("/v1/customers", {"size": "0"})
    assert response.status_code == 200
    assert len(response.json()["items"]) == 3


def test_a_page_size_larger_than_the_maximum_gives_the_maximum(global_admin, api_client_for):
    response = api_client_for(global_admin).get("/v1/customers", {"size": "9" * 30})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0), ("007", 7), ("9223372036854775807", 2**63 - 1), ("9" * 30, int("9" * 30))],
)
def test_ascii_digits_read_as_their_number(text, number):
    assert ascii_int(text) == number
    assert id_parse(text) == number


@pytest.mark.parametrize("text", [*NOT_ASCII_DIGITS, "9" * 5000, None, 7, "1\n"])
def test_anything_else_reads_as_nothing(text):
    assert ascii_int(text) is None
