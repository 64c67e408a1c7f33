from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: nobody, the admin included, changes or removes an event."""

    list_display = ("occurred_at", "partner", "actor_email", "operation_type", "ip_address")
    list_filter = ("operation_type", "resource_type")
    search_fields = ("actor_email", "object_id")
    date_hierarchy = "occurred_at"

    def get_queryset(self, request):
        return Event.objects.all_partners().select_related("partner")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
