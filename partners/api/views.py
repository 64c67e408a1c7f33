from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import problem_responses
from core.roles import Action
from partners.selectors import user_get, user_list
from partners.services import user_preferences_set

from .serializers import MeOutput, PreferencesInput, UserOutput


class MeApi(APIView):
    @extend_schema(responses=MeOutput, summary="The caller's user, partner and roles")
    def get(self, request):
        return Response(MeOutput(request.user).data)

    @extend_schema(
        request=PreferencesInput,
        responses={
            200: MeOutput,
            **problem_responses({403: "cancellationReminders is for users who see customers."}),
        },
        summary="Change the caller's preferences",
    )
    def patch(self, request):
        data = PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_preferences_set(
            user=request.user,
            language=data.validated_data["language"],
            time_zone=data.validated_data["timeZone"],
            cancellation_reminders=data.validated_data.get("cancellationReminders"),
        )
        return Response(MeOutput(user).data)


class UserListApi(ListAPIView):
    required_action = Action.MANAGE_USERS
    serializer_class = UserOutput
    ordering = "email"

    def get_queryset(self):
        return user_list()


class UserGetApi(APIView):
    required_action = Action.MANAGE_USERS

    @extend_schema(responses=UserOutput, summary="One of the partner's users")
    def get(self, request, user_id: int):
        return Response(UserOutput(user_get(user_id=user_id)).data)
