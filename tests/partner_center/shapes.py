"""What every Partner Center answer looks like: links, attributes, collections, echoed ids."""

from __future__ import annotations

from .conftest import SAMPLE_HEADERS


def assert_link(link: dict, method: str = "GET") -> None:
    assert set(link) == {"uri", "method", "headers"}
    assert link["method"] == method and link["headers"] == []
    assert isinstance(link["uri"], str) and link["uri"]


def assert_resource(body: dict, object_type: str) -> None:
    assert body["attributes"] == {"objectType": object_type}


def assert_collection(body: dict, object_type: str | None = None) -> list[dict]:
    """The items of a Partner Center collection, after checking its envelope."""
    assert isinstance(body["totalCount"], int)
    assert isinstance(body["items"], list)
    assert_link(body["links"]["self"])
    assert_resource(body, "Collection")
    if object_type is not None:
        for item in body["items"]:
            assert_resource(item, object_type)
    return body["items"]


def assert_echoes_sample_ids(response) -> None:
    """Partner Center's answers carry the request's MS-RequestId and MS-CorrelationId."""
    assert response["MS-RequestId"] == response.wsgi_request.META["HTTP_MS_REQUESTID"]
    assert response["MS-CorrelationId"] == SAMPLE_HEADERS["HTTP_MS_CORRELATIONID"]
