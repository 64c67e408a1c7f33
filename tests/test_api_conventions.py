"""API.md "Conventions": tokens, problem+json errors with codes, cursor paging, correlation ids."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from openapi_spec_validator import validate
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from core.ratelimits import PortalUserRateThrottle
from core.roles import Role
from core.tenancy import partner_scope
from partners.models import ApiToken
from partners.services import api_token_issue, api_token_revoke
from partners.tests.factories import UserFactory

PROBLEM = "application/problem+json"


def _bearer(clear: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
    return client


def _issue(user, **kwargs):
    with partner_scope(user.partner):
        return api_token_issue(actor=user, name="t", **kwargs)


def _assert_problem(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"] and body["detail"] and body["type"].endswith(code)
    return body


def test_api_tokens_are_not_stored_in_clear(global_admin):
    token, clear = _issue(global_admin)
    secret = clear.rsplit("_", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM partners_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored
    assert clear not in stored
    assert token.digest != secret and len(token.digest) == 64


def test_me_returns_the_callers_user_partner_and_roles(global_admin):
    _token, clear = _issue(global_admin)
    body = _bearer(clear).get("/v1/me").json()
    assert body["user"]["userPrincipalName"] == global_admin.email
    assert body["user"]["roles"] == ["global_admin"]
    assert body["partner"]["id"] == global_admin.partner.partner_number


def test_a_token_acts_only_within_its_users_partner(global_admin, outsider):
    _token, clear = _issue(outsider)
    _assert_problem(_bearer(clear).get(f"/v1/users/{global_admin.pk}"), 404, "not_found")
    emails = [u["userPrincipalName"] for u in _bearer(clear).get("/v1/users").json()["items"]]
    assert emails == [outsider.email]


def test_missing_token_is_401_problem(db):
    response = APIClient().get("/v1/me")
    _assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("presented", ["nonsense", "cspp_abc_def", "cspp__", "a" * 500])
def test_unknown_token_is_401_problem(db, presented):
    _assert_problem(_bearer(presented).get("/v1/me"), 401, "authentication_failed")


def test_revoked_token_stops_working(global_admin):
    token, clear = _issue(global_admin)
    assert _bearer(clear).get("/v1/me").status_code == 200
    with partner_scope(global_admin.partner):
        api_token_revoke(actor=global_admin, token_id=token.pk)
    _assert_problem(_bearer(clear).get("/v1/me"), 401, "authentication_failed")


def test_expired_token_stops_working(global_admin):
    token, clear = _issue(global_admin)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_problem(_bearer(clear).get("/v1/me"), 401, "authentication_failed")


def test_deactivated_users_token_stops_working(global_admin):
    _token, clear = _issue(global_admin)
    type(global_admin).objects.filter(pk=global_admin.pk).update(is_active=False)
    _assert_problem(_bearer(clear).get("/v1/me"), 401, "authentication_failed")


def test_wrong_role_is_403_problem_naming_the_role(role_users, api_client_for):
    response = api_client_for(role_users[Role.SALES_AGENT]).get("/v1/users")
    body = _assert_problem(response, 403, "role_required")
    assert "Global admin" in body["detail"]


def test_unknown_route_is_404_problem(global_admin, api_client_for):
    _assert_problem(api_client_for(global_admin).get("/v1/no-such-thing"), 404, "not_found")


def test_unknown_object_is_404_problem(global_admin, api_client_for):
    _assert_problem(api_client_for(global_admin).get("/v1/users/987654"), 404, "not_found")


def test_wrong_method_is_405_problem(global_admin, api_client_for):
    _assert_problem(api_client_for(global_admin).delete("/v1/me"), 405, "method_not_allowed")


def test_validation_error_is_400_problem_with_fields(global_admin, api_client_for):
    response = api_client_for(global_admin).patch(
        "/v1/me", {"language": "klingon", "timeZone": "Europe/Rome"}, format="json"
    )
    body = _assert_problem(response, 400, "validation_error")
    assert body["errors"][0]["field"] == "language"


def test_domain_error_is_400_problem_with_its_code(global_admin, api_client_for):
    response = api_client_for(global_admin).patch(
        "/v1/me", {"language": "it", "timeZone": "Mars/Olympus"}, format="json"
    )
    body = _assert_problem(response, 400, "invalid_time_zone")
    assert body["errors"] == [{"field": "timeZone", "detail": body["detail"]}]


def test_malformed_json_is_400_problem(global_admin, api_client_for):
    response = api_client_for(global_admin).patch(
        "/v1/me", data="{not json", content_type="application/json"
    )
    _assert_problem(response, 400, "malformed_request")


def test_preferences_change_through_the_api(global_admin, api_client_for):
    response = api_client_for(global_admin).patch(
        "/v1/me", {"language": "it", "timeZone": "Australia/Sydney"}, format="json"
    )
    assert response.status_code == 200
    global_admin.refresh_from_db()
    assert (global_admin.language, global_admin.time_zone) == ("it", "Australia/Sydney")


# Limits per day in these tests: the counter's windows are fixed, and a run crossing the end of
# one would start counting afresh.
def test_rate_limit_is_429_problem_with_retry_after(global_admin, api_client_for, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/day"})
    client = api_client_for(global_admin)
    statuses = [client.get("/v1/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/v1/me")
    _assert_problem(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0



def test_requests_at_once_get_past_the_rate_limit_no_more_than_it_allows(global_admin,
                                                                          monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "5/day"})
    request = RequestFactory().get("/v1/me")
    request.user = global_admin
    callers = 16
    start = threading.Barrier(callers)
    allowed = []

    def call():
        start.wait()
        allowed.append(PortalUserRateThrottle().allow_request(request, None))

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 5


def test_collections_page_with_continuation_tokens(owner_partner, api_client_for):
    admin = UserFactory(partner=owner_partner, email="admin@owner.example")
    for n in range(4):
        UserFactory(partner=owner_partner, email=f"page{n}@owner.example")
    client = api_client_for(admin)
    first = client.get("/v1/users", {"size": 2}).json()
    assert first["totalCount"] == 5
    assert len(first["items"]) == 2
    second = client.get("/v1/users", {"size": 2, "continuationToken": first["continuationToken"]})
    third = client.get(
        "/v1/users?size=2", HTTP_MS_CONTINUATIONTOKEN=second.json()["continuationToken"]
    ).json()
    seen = [u["userPrincipalName"] for page in (first, second.json(), third) for u in page["items"]]
    assert len(seen) == 5 == len(set(seen))
    assert seen == sorted(seen)
    assert "continuationToken" not in third and "next" not in third["links"]
    assert first["links"]["next"]["uri"].startswith("http")


def test_page_size_is_capped_at_100(owner_partner, api_client_for):
    admin = UserFactory(partner=owner_partner, email="admin@owner.example")
    for n in range(101):
        UserFactory(partner=owner_partner, email=f"many{n:03}@owner.example")
    body = api_client_for(admin).get("/v1/users", {"size": 100000}).json()
    assert (body["totalCount"], len(body["items"])) == (102, 100)


def test_bad_continuation_token_is_400_problem(global_admin, api_client_for):
    response = api_client_for(global_admin).get("/v1/users", {"continuationToken": "garbage!"})
    _assert_problem(response, 400, "invalid_continuation_token")


def test_page_size_0_gives_the_default_page_as_partner_center_does(owner_partner, api_client_for):
    admin = UserFactory(partner=owner_partner, email="admin@owner.example")
    for n in range(30):
        UserFactory(partner=owner_partner, email=f"many{n:03}@owner.example")
    body = api_client_for(admin).get("/v1/users", {"size": 0}).json()
    assert (body["totalCount"], len(body["items"])) == (31, 25)


@pytest.mark.parametrize("size", ["-1", "ten", "null", ""])
def test_page_size_that_is_not_a_whole_number_from_0_is_400_problem(
    global_admin, api_client_for, size
):
    response = api_client_for(global_admin).get("/v1/users", {"size": size})
    body = _assert_problem(response, 400, "invalid_page_size")
    assert body["errors"][0]["field"] == "size"


@pytest.mark.parametrize("wanted", ["xml", ""])
def test_unknown_format_is_400_problem_not_404(global_admin, api_client_for, wanted):
    response = api_client_for(global_admin).get("/v1/auditrecords", {"format": wanted})
    _assert_problem(response, 400, "invalid_format")


def test_correlation_and_request_ids_are_echoed(global_admin, api_client_for):
    response = api_client_for(global_admin).get(
        "/v1/me", HTTP_MS_CORRELATIONID="corr-123", HTTP_MS_REQUESTID="req-456"
    )
    assert response["MS-CorrelationId"] == "corr-123"
    assert response["MS-RequestId"] == "req-456"


def test_missing_or_hostile_correlation_ids_are_replaced(global_admin, api_client_for):
    response = api_client_for(global_admin).get(
        "/v1/me", HTTP_MS_CORRELATIONID="<script>alert(1)</script>"
    )
    assert "<" not in response["MS-CorrelationId"] and len(response["MS-CorrelationId"]) == 36
    assert len(response["MS-RequestId"]) == 36


def test_openapi_schema_and_docs_are_served(db):
    schema = APIClient().get("/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/v1/me" in document["paths"]
    assert "bearerAuth" in document["components"]["securitySchemes"]
    assert APIClient().get("/v1/docs/").status_code == 200


def test_the_openapi_document_is_valid_and_names_every_partner_center_operation(db):
    document = APIClient().get("/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    validate(document)
    paths = document["paths"]
    assert set(paths["/v1/customers/{customer_id}/carts"]) == {"post"}
    assert set(paths["/v1/customers/{customer_id}/carts/{cart_id}"]) == {"get", "put"}
    assert set(paths["/v1/customers/{customer_id}/carts/{cart_id}/checkout"]) == {"post"}
    assert set(paths["/v1/servicerequests/{culture}"]) == {"post"}
    assert "get" in paths["/v1/customers/{customer_id}/servicerequests"]
    assert "get" in paths["/v1/invoices/{invoice_id}/lineitems/{provider}/{line_item_type}"]
    catalogue = "/v1/customers/{customer_id}/products/{product_id}/skus/{sku_id}/availabilities"
    assert "get" in paths[catalogue] and "get" in paths[catalogue + "/{availability_id}"]
    problem = document["components"]["schemas"]["ProblemOutput"]["properties"]
    assert {"code", "description", "partnerCenterCode"} <= set(problem)


def test_every_page_tells_the_whole_collections_count_and_the_first_reads_it_with_its_rows(
    owner_partner, api_client_for, statements_sent
):
    admin = UserFactory(partner=owner_partner, email="admin@owner.example")
    for n in range(6):
        UserFactory(partner=owner_partner, email=f"count{n}@owner.example")
    client = api_client_for(admin)
    client.get("/v1/users", {"size": 3})
    with statements_sent() as first_reads:
        first = client.get("/v1/users", {"size": 3}).json()
    second = client.get(
        "/v1/users", {"size": 3, "continuationToken": first["continuationToken"]}
    ).json()
    assert first["totalCount"] == second["totalCount"] == 7
    assert len(first["items"]) == len(second["items"]) == 3
    counts = [sql for sql in first_reads if "COUNT(" in sql]
    assert counts and all("OVER" in sql for sql in counts)
    assert "collection_total_count" not in first["items"][0]
