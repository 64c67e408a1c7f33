"""Keyset (cursor) paging in Partner Center's collection shape; no OFFSET on large tables."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from core.errors import PortalError

MAX_PAGE_SIZE = 100


class ContinuationPagination(CursorPagination):
    cursor_query_param = "continuationToken"
    page_size_query_param = "size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        header_token = request.headers.get("MS-ContinuationToken")
        if header_token and self.cursor_query_param not in request.query_params:
            request._request.GET = request._request.GET.copy()
            request._request.GET[self.cursor_query_param] = header_token
        self.total_count = queryset.count() if getattr(view, "count_total", True) else None
        self.ordering = getattr(view, "ordering", None) or self.ordering
        return super().paginate_queryset(queryset, request, view)

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
            "links": {},
        }
        if next_uri:
            body["links"]["next"] = {"uri": next_uri, "method": "GET"}
            body["continuationToken"] = token
        return Response(body)

    def decode_cursor_param(self, uri: str) -> str | None:
        values = parse_qs(urlsplit(uri).query).get(self.cursor_query_param)
        return values[0] if values else None

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["totalCount", "items", "links"],
            "properties": {
                "totalCount": {"type": "integer"},
                "items": schema,
                "links": {
                    "type": "object",
                    "properties": {
                        "next": {
                            "type": "object",
                            "properties": {"uri": {"type": "string"}, "method": {"type": "string"}},
                        }
                    },
                },
                "continuationToken": {"type": "string"},
            },
        }
