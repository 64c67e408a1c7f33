"""The OpenAPI document lists every answer an operation can give, errors included.

Each error is problem+json (core/api/exceptions.py). The statuses that follow from how an
operation is built are added here for all of them: 401 and 429 everywhere, 400 where there is
input, 403 where a role is required, 404 where the path names an object, 415 where there is a
body. A view adds the ones only it gives (409, 413) with `problem_responses`.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .exceptions import PROBLEM_CONTENT_TYPE
from .permissions import required_action_for


class ProblemFieldErrorOutput(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The input at fault, if one is.")
    detail = serializers.CharField()


class ProblemOutput(serializers.Serializer):
    """RFC 9457 problem details, with the portal's stable machine `code`."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable, e.g. `role_required`, `not_cancellable`.")
    description = serializers.CharField(help_text="Partner Center's member: the same as `detail`.")
    partnerCenterCode = serializers.IntegerField(
        required=False,
        help_text="Partner Center's numeric error code, where it has an equivalent error.",
    )
    errors = ProblemFieldErrorOutput(many=True, required=False)


def problem_responses(statuses: dict[int, str]) -> dict:
    """`extend_schema(responses=...)` entries for the problem answers only this view gives."""
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemOutput, description=description)
        for status, description in statuses.items()
    }


BAD_REQUEST = "The input is invalid; `errors` names each field at fault."
UNAUTHENTICATED = "No token, or an unknown, expired or revoked one."
FORBIDDEN = "The caller's roles do not allow this; `detail` names the roles that would."
NOT_FOUND = "No such object among the caller's partner's (another partner's is a 404 too)."
UNSUPPORTED_MEDIA_TYPE = "The body is in a media type the operation does not take."
RATE_LIMITED = "Too many requests; `Retry-After` says how many seconds to wait."
UNAVAILABLE = (
    "The database or the background service is briefly unavailable (`database_unavailable`, "
    "`background_unavailable`); nothing was changed, `Retry-After` says when to try again."
)


class PortalAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        problem = self.resolve_serializer(ProblemOutput, "response").ref
        responses = operation["responses"]
        for status, description in self._problem_statuses(operation).items():
            responses.setdefault(
                str(status),
                {
                    "description": description,
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}},
                },
            )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def get_operation_id(self):
        # A collection built by hand is one object to drf-spectacular, which would name its
        # operation `_retrieve`, the same as the single item's beside it.
        operation_id = super().get_operation_id()
        if self.method == "GET" and self._is_collection():
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def _is_collection(self) -> bool:
        responses = self.get_response_serializers()
        if isinstance(responses, dict):
            responses = responses.get(200)
        return getattr(responses, "is_collection", False)

    def _problem_statuses(self, operation: dict) -> dict[int, str]:
        locations = {parameter["in"] for parameter in operation.get("parameters", ())}
        has_body = "requestBody" in operation
        statuses = {401: UNAUTHENTICATED, 429: RATE_LIMITED, 503: UNAVAILABLE}
        if has_body or locations & {"query", "header"}:
            statuses[400] = BAD_REQUEST
        if required_action_for(self.view, self.method) is not None:
            statuses[403] = FORBIDDEN
        if "path" in locations:
            statuses[404] = NOT_FOUND
        if has_body:
            statuses[415] = UNSUPPORTED_MEDIA_TYPE
        return statuses
