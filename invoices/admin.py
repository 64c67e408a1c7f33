from django.contrib import admin

from .models import Invoice


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Read-only: an issued invoice never changes; a correction is a credit on a later one."""

    list_display = ("number", "partner_name", "period_start", "currency_code", "total", "issued_at")
    list_filter = ("currency_code", "period_start")
    search_fields = ("number", "partner_name")
    date_hierarchy = "issued_at"

    def get_queryset(self, request):
        return Invoice.objects.all_partners()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
