from django.conf import settings
from rest_framework import serializers


class PartnerOutput(serializers.Serializer):
    id = serializers.IntegerField(source="partner_number")
    name = serializers.CharField()
    homeCountry = serializers.CharField(source="home_country.code")
    billingCurrency = serializers.CharField(source="billing_currency")


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    userPrincipalName = serializers.EmailField(source="email")
    displayName = serializers.CharField(source="full_name")
    roles = serializers.ListField(child=serializers.CharField())
    isActive = serializers.BooleanField(source="is_active")
    isSupportStaff = serializers.BooleanField(source="is_support_staff")
    language = serializers.CharField()
    timeZone = serializers.CharField(source="time_zone")
    cancellationReminders = serializers.BooleanField(source="cancellation_reminders")


class MeOutput(serializers.Serializer):
    user = UserOutput(source="*")
    partner = PartnerOutput(allow_null=True)


class PreferencesInput(serializers.Serializer):
    # "" leaves the language to the browser, else the partner's document language.
    language = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES], allow_blank=True
    )
    timeZone = serializers.CharField(max_length=64)
    # Left out: unchanged. Only users who see customers' purchases get the reminders.
    cancellationReminders = serializers.BooleanField(required=False)
