from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: what was queued, sent or given up, for operators chasing a missing e-mail."""

    list_display = ("created_at", "partner", "event_key", "recipient", "sent_at", "abandoned_at",
                    "attempts")
    list_filter = ("channel",)
    search_fields = ("event_key", "recipient")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return Message.objects.all_partners().select_related("partner")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
