"""Keyset (cursor) paging in Partner Center's collection shape; no OFFSET on large tables."""

from __future__ import annotations

import functools
from urllib.parse import parse_qs, urlsplit

from django.db.models import Count, Window
from django.db.models.query import ModelIterable
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from core.errors import PortalError
from core.numbers import ascii_int

from .partner_center import AttributesOutput, LinkOutput, attributes, link

MAX_PAGE_SIZE = 100
SIZE_SCHEMA = {"type": "integer", "minimum": 0}
SIZE_DESCRIPTION = (
    f"Page size, at most {MAX_PAGE_SIZE} (a larger size gives {MAX_PAGE_SIZE}); 0, as Partner "
    "Center's samples send it, gives the default size."
)
CONTINUATION_DESCRIPTION = "The `continuationToken` of the previous page."
# For views that page by hand (APIView); list views get the same two from the paginator.
PAGING_PARAMETERS = [
    OpenApiParameter("size", SIZE_SCHEMA, description=SIZE_DESCRIPTION),
    OpenApiParameter("continuationToken", str, description=CONTINUATION_DESCRIPTION),
]


_TOTAL = "collection_total_count"


def _countable_in_page(queryset) -> bool:
    # Model rows, not distinct, not a union: where COUNT(*) OVER () counts what count() would.
    query = queryset.query
    return (
        queryset._iterable_class is ModelIterable
        and not query.distinct
        and not query.combinator
        and not query.group_by
    )


class ContinuationPagination(CursorPagination):
    cursor_query_param = "continuationToken"
    page_size_query_param = "size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        self.self_uri = request.get_full_path()
        header_token = request.headers.get("MS-ContinuationToken")
        if header_token and self.cursor_query_param not in request.query_params:
            request._request.GET = request._request.GET.copy()
            request._request.GET[self.cursor_query_param] = header_token
        self.ordering = getattr(view, "ordering", None) or self.ordering
        if not getattr(view, "count_total", True):
            self.total_count = None
            return super().paginate_queryset(queryset, request, view)
        if request.query_params.get(self.cursor_query_param) or not _countable_in_page(queryset):
            self.total_count = queryset.count()
            return super().paginate_queryset(queryset, request, view)
        # The first page counts the whole collection in its own query (COUNT(*) OVER (), taken
        # before LIMIT), saving the count's statement on the request most clients make.
        page = super().paginate_queryset(
            queryset.annotate(**{_TOTAL: Window(Count("pk"))}), request, view
        )
        self.total_count = getattr(page[0], _TOTAL) if page else 0
        return page

    def get_page_size(self, request):
        """`size` as asked, up to the maximum, 0 the default; anything else is a 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = ascii_int(raw)
        if size == 0:
            return self.page_size
        if size is None or size < 1:
            raise PortalError(
                _("size must be a whole number from 0 to %(max)s.") % {"max": MAX_PAGE_SIZE},
                code="invalid_page_size",
                field="size",
            )
        return min(size, self.max_page_size)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise PortalError(
                _("The continuation token is not valid."),
                code="invalid_continuation_token",
                field="continuationToken",
            ) from exc

    def get_paginated_response(self, data):
        next_uri = self.get_next_link()
        token = self.decode_cursor_param(next_uri) if next_uri else None
        body = {
            "totalCount": self.total_count if self.total_count is not None else len(data),
            "items": data,
            "links": {"self": link(self.self_uri)},
            "attributes": attributes("Collection"),
        }
        if next_uri:
            body["links"]["next"] = link(next_uri)
            body["continuationToken"] = token
        return Response(body)

    def decode_cursor_param(self, uri: str) -> str | None:
        values = parse_qs(urlsplit(uri).query).get(self.cursor_query_param)
        return values[0] if values else None

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": CONTINUATION_DESCRIPTION,
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": SIZE_DESCRIPTION,
                "schema": SIZE_SCHEMA,
            },
        ]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["totalCount", "items", "links", "attributes"],
            "properties": {
                "totalCount": {"type": "integer"},
                "items": schema,
                "links": {
                    "type": "object",
                    "required": ["self"],
                    "properties": {"self": _LINK_SCHEMA, "next": _LINK_SCHEMA},
                },
                "attributes": {
                    "type": "object",
                    "required": ["objectType"],
                    "properties": {"objectType": {"type": "string", "enum": ["Collection"]}},
                },
                "continuationToken": {"type": "string"},
            },
        }


_LINK_SCHEMA = {
    "type": "object",
    "required": ["uri", "method", "headers"],
    "properties": {
        "uri": {"type": "string"},
        "method": {"type": "string"},
        "headers": {"type": "array", "items": {"type": "object"}},
    },
}


class CollectionLinksOutput(serializers.Serializer):
    self = LinkOutput()
    next = LinkOutput(required=False)


def whole_collection(items: list, *, request) -> dict:
    """Return a collection answered in one page, in the same shape as a paged one."""
    return {
        "totalCount": len(items),
        "items": items,
        "links": {"self": link(request.get_full_path())},
        "attributes": attributes("Collection"),
    }


@functools.cache
def collection_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The collection shape around `item`, for the schema of views that page by hand."""
    return type(
        item.__name__.removesuffix("Output") + "Collection",
        (serializers.Serializer,),
        {
            "__module__": item.__module__,
            "__doc__": f"A page of {item.__name__.removesuffix('Output')} items.",
            "is_collection": True,
            "totalCount": serializers.IntegerField(),
            "items": item(many=True),
            "links": CollectionLinksOutput(),
            "attributes": AttributesOutput(),
            "continuationToken": serializers.CharField(required=False),
        },
    )
