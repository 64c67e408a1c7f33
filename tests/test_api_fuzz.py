"""Schemathesis over every operation of the OpenAPI document at /v1/schema/.

It generates valid and invalid requests (a bounded number per operation), sends them with a real
token of a user holding every partner role, and mixes in ids of objects that exist, and request
parts that go together (a customer with its own order, a valid body), so that requests reach
real customers, orders, keys, invoices and support requests, not only 404s. Every answer must be
no 5xx, with a documented status and content type and a body matching its schema; invalid input
must be refused. A failure prints the request that reproduces it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from rest_framework.throttling import UserRateThrottle
from schemathesis.config import SchemathesisConfig

from tests.fuzz_world import fuzz_world_seed

# Hypothesis caches what it learns from the source (constants, Unicode tables) under
# ./.hypothesis, from the moment this module is collected; keep the cache out of the checkout.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "csp-portal-hypothesis")

# Generated requests per operation, besides the deterministic boundary and invalid-value ones.
MAX_EXAMPLES = 15
# How often a parameter takes an existing object's id instead of a made-up value.
KNOWN_VALUE_PROBABILITY = 0.6
# Where each list of existing ids and accepted values goes.
BINDINGS = {
    "path.customer_id": "customer_id",
    "path.order_id": "order_id",
    "path.entitlement_id": "entitlement_id",
    "path.invoice_id": "invoice_id",
    "path.cart_id": "cart_id",
    "path.request_id": "request_id",
    "path.attachment_id": "attachment_id",
    "path.user_id": "user_id",
    "path.endpoint_id": "endpoint_id",
    "path.delivery_id": "delivery_id",
    "path.product_id": "product_id",
    "path.sku_id": "sku_id",
    "query.country": "country",
    "body.customerTenantIdOrDomain": "customer_id",
    "body.orderId": "order_id",
    "body.version": "version",
    "body.language": "language",
    "body.fileType": "file_type",
}
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)


def _config(world) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "dictionaries": {name: {"values": values} for name, values in world.values.items()},
            "parameters": {
                key: {"dictionary": name, "probability": KNOWN_VALUE_PROBABILITY}
                for key, name in BINDINGS.items()
            },
            "auth": {"openapi": {"bearerAuth": {"bearer": world.token}}},
            # Generation speed depends on the machine's load, not on the API.
            "suppress-health-check": ["all"],
            "generation": {
                "max-examples": MAX_EXAMPLES,
                # The token is real; made-up Authorization headers only test the 401 again.
                "with-security-parameters": False,
                # The same requests on every run, and no example database written to disk.
                "deterministic": True,
                "database": "none",
            },
            # Wrong methods are the route matrix's concern (tests/test_route_matrix.py).
            "phases": {"coverage": {"unexpected-methods": []}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )


def _laid_over(case, parts: dict):
    # Each draw makes a new case, so changing it in place touches no other request.
    case.path_parameters = {**case.path_parameters, **parts.get("path_parameters", {})}
    if "body" in parts:
        case.body = parts["body"]
    return case


def _with_valid_parts(world):
    def flatmap_case(context, case):
        """Some valid requests get parts that go together, so they reach real objects."""
        parts = world.valid_parts.get(case.operation.label)
        is_json = case.media_type in (None, "application/json")
        if not parts or not is_json or case.meta.generation.mode.is_negative:
            return st.just(case)
        return st.one_of(st.just(case), st.sampled_from(parts).map(lambda p: _laid_over(case, p)))

    return flatmap_case


def _document_with_examples(world) -> dict:
    """The OpenAPI document the portal serves, with existing ids as path parameter examples.

    The deterministic boundary and invalid-value requests keep a parameter's example while they
    vary another one; without it a body variation would only ever meet a 404 for its path.
    """
    response = Client().get("/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    document = response.json()
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()):
                if parameter["in"] == "path" and parameter["name"] in world.path_examples:
                    parameter["example"] = world.path_examples[parameter["name"]]
    return document


def _in_savepoint(app):
    """Each request in its own savepoint, as each is its own transaction in production: a
    database error in one must not poison the test's transaction for the requests after it."""

    def call(environ, start_response):
        with transaction.atomic():
            return app(environ, start_response)

    return call


@pytest.fixture
def api_schema(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The fuzzer sends far more than a person would in a minute; the limit has its own tests.
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})
    world = fuzz_world_seed()
    schema = schemathesis.openapi.from_dict(_document_with_examples(world), config=_config(world))
    schema.app = _in_savepoint(WSGIHandler())
    schema.hook("flatmap_case")(_with_valid_parts(world))
    # As Django's test client does: the per-request clean-up would close the connection that
    # holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _schemathesis_node_id(request):
    # Schemathesis 4.32 renames each operation's report through `Node._nodeid`, which pytest 9.2
    # no longer has; without it the lazy schema cannot run at all.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_api_operation_answers_as_documented(case):
    case.call_and_validate()
