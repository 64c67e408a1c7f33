"""Partner Center's casing and date forms, read by every /v1 operation (core/api)."""

import zoneinfo
from datetime import UTC, date, datetime

import pytest
from django.test import RequestFactory
from django.urls import clear_script_prefix, set_script_prefix
from django.utils import timezone
from rest_framework.fields import DateTimeField

from core.api.partner_center import (
    PartnerCenterRequestMiddleware,
    api_root,
    camel_keys,
    datetime_text,
    partner_center_datetime,
)


def test_capitalised_property_names_are_read_as_the_api_names_them_at_every_depth():
    body = {"LineItems": [{"OfferId": "A:B:C", "Quantity": 1}], "CompanyProfile": {"Domain": "x"}}
    assert camel_keys(body) == {
        "lineItems": [{"offerId": "A:B:C", "quantity": 1}],
        "companyProfile": {"domain": "x"},
    }


def _query_after_middleware(path: str) -> dict:
    seen = {}

    def view(request):
        seen.update({key: request.GET.getlist(key) for key in request.GET})

    PartnerCenterRequestMiddleware(view)(RequestFactory().get(path))
    return seen


def test_a_documented_query_parameter_in_another_casing_is_read_under_its_name():
    assert _query_after_middleware("/v1/x?currencycode=EUR&SIZE=5&Other=1") == {
        "currencyCode": ["EUR"], "size": ["5"], "Other": ["1"],
    }


def test_the_documented_casing_wins_when_both_are_sent():
    assert _query_after_middleware("/v1/x?size=5&SIZE=7") == {"size": ["5"]}


def test_pages_outside_the_api_keep_their_query_as_sent():
    assert _query_after_middleware("/customers/?SIZE=5") == {"SIZE": ["5"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6/1/2017 12:00:00 AM", datetime(2017, 6, 1, 0, 0, tzinfo=UTC)),
        ("6/1/2017 1:30:00 PM", datetime(2017, 6, 1, 13, 30, tzinfo=UTC)),
        ("6/30/2017 18:45:10", datetime(2017, 6, 30, 18, 45, 10, tzinfo=UTC)),
        ("6/30/2017", date(2017, 6, 30)),
        ("2017-06-30", None),
        ("13/1/2017", None),
    ],
)
def test_partner_center_dates_are_read_as_utc(text, expected):
    assert partner_center_datetime(text) == expected


def _path_after_middleware(path: str) -> str:
    seen = {}

    def view(request):
        seen["path"] = request.path_info

    PartnerCenterRequestMiddleware(view)(RequestFactory().get(path))
    return seen["path"]


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ("/v1/customers/", "/v1/customers"),
        ("/v1/schema/", "/v1/schema/"),
        ("/v1/no-such-thing/", "/v1/no-such-thing/"),
        ("/customers/", "/customers/"),
    ],
)
def test_a_trailing_slash_is_dropped_only_where_the_route_has_none(sent, read):
    assert _path_after_middleware(sent) == read


def test_links_follow_the_script_prefix_the_portal_is_served_under():
    assert api_root() == "/v1"
    set_script_prefix("/portal/")
    try:
        assert api_root() == "/portal/v1"
    finally:
        clear_script_prefix()
    assert api_root() == "/v1"


@pytest.mark.parametrize("zone", ["UTC", "Europe/Rome", "Australia/Sydney"])
def test_dates_written_by_hand_read_as_drf_writes_them_in_every_time_zone(zone):
    moments = [
        datetime(2026, 3, 29, 0, 59, 59, 123456, tzinfo=UTC),
        datetime(2026, 12, 6, tzinfo=UTC),
    ]
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for moment in moments:
            assert datetime_text(moment) == DateTimeField().to_representation(moment)
    assert datetime_text(None) is None
