from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import ApiToken, Partner, User


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "partner_number", "home_country", "billing_currency")
    search_fields = ("name", "partner_number")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "partner", "is_support_staff", "is_active")
    list_filter = ("is_support_staff", "is_active", "partner")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "partner", "roles")}),
        ("Access", {"fields": ("is_active", "is_support_staff", "is_staff", "is_superuser")}),
        ("Preferences", {"fields": ("language", "time_zone")}),
    )
    add_fieldsets = (
        (
            None,
            {"fields": ("email", "password1", "password2", "partner", "roles", "is_support_staff")},
        ),
    )
    filter_horizontal = ()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("lookup_id", "digest", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False
