"""What a Partner Center client sends and expects, in one place for every /v1 operation.

Partner Center reads JSON property names and query parameter names case-insensitively (its own
samples send `{"LineItems": [{"OfferId": ...}]}` and `?currencycode=`), marks every resource and
collection with `attributes.objectType`, and gives links a `headers` list.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime

from django.conf import settings
from django.urls import Resolver404, get_script_prefix, get_urlconf, resolve, reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser

# Every query parameter name /v1 reads, as documented; any casing of one of them means it.
QUERY_PARAMETERS = (
    "size",
    "continuationToken",
    "country",
    "targetView",
    "filter",
    "startDate",
    "endDate",
    "currencyCode",
    "entitlementType",
    "supportTopic",
    "impact",
    "status",
    "format",
    "provider",
    "invoiceLineItemType",
)
_CANONICAL_QUERY = {name.lower(): name for name in QUERY_PARAMETERS}
# Partner Center's own date-time text, as its audit samples send it (`6/1/2017 12:00:00 AM`).
_PARTNER_CENTER_DATETIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


def camel_keys(data):
    """Return JSON data with every property name starting lower-case, as the serializers name it."""
    if isinstance(data, dict):
        return {
            (key[:1].lower() + key[1:] if isinstance(key, str) else key): camel_keys(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [camel_keys(item) for item in data]
    return data


class PartnerCenterJSONParser(JSONParser):
    """JSON whose property names may be capitalised, as in Partner Center's samples."""

    def parse(self, stream, media_type=None, parser_context=None):
        return camel_keys(super().parse(stream, media_type, parser_context))


class PartnerCenterRequestMiddleware:
    """Read a /v1 request as Partner Center writes it: query names in any casing, and a path
    with a trailing slash (update-a-cart.md's `PUT .../carts/{id}/`) as the route without it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/v1/"):
            _rename_query_parameters(request)
            _drop_trailing_slash(request)
        return self.get_response(request)


def _rename_query_parameters(request) -> None:
    if not any(
        key not in QUERY_PARAMETERS and key.lower() in _CANONICAL_QUERY for key in request.GET
    ):
        return
    renamed = request.GET.copy()
    for key in list(renamed):
        canonical = _CANONICAL_QUERY.get(key.lower())
        if canonical and canonical != key:
            values = renamed.pop(key)
            if canonical not in renamed:
                renamed.setlist(canonical, values)
    renamed._mutable = False
    request.GET = renamed


def _drop_trailing_slash(request) -> None:
    path = request.path_info
    if not path.endswith("/") or _routed(path) or not _routed(path.rstrip("/")):
        return
    request.path_info = path.rstrip("/")
    request.path = request.path.rstrip("/")


def _routed(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def partner_center_datetime(text: str) -> date | datetime | None:
    """Return Partner Center's `M/D/YYYY h:mm:ss AM` text as a UTC date-time, or a date alone."""
    for pattern in _PARTNER_CENTER_DATETIME_FORMATS:
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return moment.date() if pattern == "%m/%d/%Y" else moment.replace(tzinfo=UTC)
    return None


def api_root() -> str:
    """The API's path prefix (/v1); links of lists are formatted from it: reverse() costs about
    16 µs a call, several a row, on a page that serializes in a few milliseconds."""
    return _api_root(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=16)
def _api_root(script_prefix: str, urlconf: str) -> str:
    return reverse("api:me", urlconf=urlconf).removesuffix("/me")


def datetime_text(value: datetime | None) -> str | None:
    """An aware date-time as DRF's DateTimeField writes it (ISO 8601 in the current time zone,
    UTC as Z), for representations built by hand: the field's checks cost several times this on
    a page with a date on every line."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def link(uri: str, method: str = "GET") -> dict:
    """Return a Partner Center link: where, how, and the (here always empty) headers to send."""
    return {"uri": uri, "method": method, "headers": []}


def attributes(object_type: str) -> dict:
    """Return the `attributes` member that names a Partner Center resource's type."""
    return {"objectType": object_type}


class LinkOutput(serializers.Serializer):
    """A Partner Center `Link`."""

    uri = serializers.CharField()
    method = serializers.CharField()
    headers = serializers.ListField(child=serializers.DictField())


class AttributesOutput(serializers.Serializer):
    """Partner Center's `ResourceAttributes`."""

    objectType = serializers.CharField()


@extend_schema_field(AttributesOutput)
class ObjectTypeField(serializers.Field):
    """`attributes: {"objectType": ...}` on a serialized resource."""

    def __init__(self, object_type: str, **kwargs):
        self.object_type = object_type
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value) -> dict:
        return attributes(self.object_type)
