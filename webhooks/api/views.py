"""Webhook endpoints and their delivery logs, for the partner's Global admins."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import collection_of, whole_collection
from core.api.schema import problem_responses
from core.roles import Action
from webhooks import selectors, services

from .serializers import DeliveryOutput, EndpointInput, EndpointOutput, EndpointWithSecretOutput

NOT_FOUND = "No such endpoint or delivery of the caller's partner."
URL_REFUSED = (
    "The input is invalid; `errors` names each field at fault. The code is "
    "`webhook_url_refused` when the URL is not https, does not resolve, or resolves to a private, "
    "loopback, link-local or reserved address."
)


def _with_secret(endpoint, secret: str) -> dict:
    return {**EndpointOutput(endpoint).data, "secret": secret}


class EndpointCollectionApi(APIView):
    required_action = Action.MANAGE_WEBHOOKS

    @extend_schema(
        summary="The partner's webhook endpoints", responses=collection_of(EndpointOutput)
    )
    def get(self, request):
        return Response(whole_collection(
            EndpointOutput(selectors.endpoint_list(), many=True).data, request=request
        ))

    @extend_schema(
        summary="Register an endpoint; the answer carries its secret, shown this once",
        request=EndpointInput,
        responses={201: EndpointWithSecretOutput, **problem_responses({400: URL_REFUSED})},
    )
    def post(self, request):
        data = EndpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(
            partner=request.user.partner, actor=request.user, url=data.validated_data["url"],
            event_types=data.validated_data["eventTypes"],
            description=data.validated_data["description"],
        )
        return Response(_with_secret(endpoint, secret), status=status.HTTP_201_CREATED)


class EndpointItemApi(APIView):
    required_action = Action.MANAGE_WEBHOOKS

    @extend_schema(
        summary="One webhook endpoint",
        responses={200: EndpointOutput, **problem_responses({404: NOT_FOUND})},
    )
    def get(self, request, endpoint_id):
        return Response(EndpointOutput(selectors.endpoint_get(endpoint_id=endpoint_id)).data)

    @extend_schema(
        summary="Delete an endpoint and its delivery log",
        responses={204: None, **problem_responses({404: NOT_FOUND})},
    )
    def delete(self, request, endpoint_id):
        services.endpoint_delete(
            partner=request.user.partner, actor=request.user, endpoint_id=endpoint_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointSecretRotateApi(APIView):
    required_action = Action.MANAGE_WEBHOOKS

    @extend_schema(
        summary="Rotate the secret: the new one is in this answer only; the old one keeps "
        "signing, beside it, for the overlap period",
        request=None,
        responses={200: EndpointWithSecretOutput, **problem_responses({404: NOT_FOUND})},
    )
    def post(self, request, endpoint_id):
        endpoint, secret = services.endpoint_secret_rotate(
            partner=request.user.partner, actor=request.user, endpoint_id=endpoint_id
        )
        return Response(_with_secret(endpoint, secret))


class EndpointEnableApi(APIView):
    required_action = Action.MANAGE_WEBHOOKS

    @extend_schema(
        summary="Re-enable a disabled endpoint; what it still owes is sent at once",
        request=None,
        responses={200: EndpointOutput, **problem_responses({404: NOT_FOUND})},
    )
    def post(self, request, endpoint_id):
        endpoint = services.endpoint_enable(
            partner=request.user.partner, actor=request.user, endpoint_id=endpoint_id
        )
        return Response(EndpointOutput(endpoint).data)


class DeliveryCollectionApi(APIView):
    required_action = Action.MANAGE_WEBHOOKS

    @extend_schema(
        summary="The endpoint's latest 100 deliveries, newest first, each with its attempts",
        responses={200: collection_of(DeliveryOutput), **problem_responses({404: NOT_FOUND})},
    )
    def get(self, request, endpoint_id):
        endpoint = selectors.endpoint_get(endpoint_id=endpoint_id)
        deliveries = selectors.delivery_list(endpoint=endpoint)
        data = DeliveryOutput(deliveries, many=True).data
        return Response(whole_collection(data, request=request))


class DeliveryRedeliverApi(APIView):
    required_action = Action.MANAGE_WEBHOOKS

    @extend_schema(
        summary="Send the event again, with the same webhook-id",
        request=None,
        responses={
            202: DeliveryOutput,
            **problem_responses({404: NOT_FOUND, 409: "The endpoint is disabled."}),
        },
    )
    def post(self, request, endpoint_id, delivery_id):
        delivery = services.delivery_redeliver(
            partner=request.user.partner, endpoint_id=endpoint_id, delivery_id=delivery_id
        )
        return Response(DeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)
