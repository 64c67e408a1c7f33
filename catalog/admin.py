"""The operator's catalogue desk: markets, products, SKUs, prices, exclusions and variants."""

from itertools import pairwise

from django import forms
from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from .models import Availability, Market, MarketExclusion, Price, Product, Sku, SoftwareVariant
from .policy import exclusion_reason
from .services import file_fingerprint


class SupportStaffMaintains:
    """Support staff keep the catalogue without per-model permissions; others need Django's."""

    @staticmethod
    def _is_support_staff(request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.is_support_staff

    def has_module_permission(self, request):
        return self._is_support_staff(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_support_staff(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._is_support_staff(request) or super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._is_support_staff(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_support_staff(request) or super().has_delete_permission(request, obj)


class FamilyExclusionInline(SupportStaffMaintains, admin.TabularInline):
    model = MarketExclusion
    fields = ("family", "product")
    autocomplete_fields = ("product",)
    extra = 0
    verbose_name = _("exclusion")
    verbose_name_plural = _("not sold here")


@admin.register(Market)
class MarketAdmin(SupportStaffMaintains, admin.ModelAdmin):
    list_display = ("country", "name", "currency_code", "tax_rate_percent", "prices_include_tax")
    list_editable = ("currency_code", "tax_rate_percent", "prices_include_tax")
    list_filter = ("prices_include_tax", "currency_code")
    search_fields = ("country",)
    inlines = (FamilyExclusionInline,)

    def get_readonly_fields(self, request, obj=None):
        # The country is the market's identity; markets come with the list of countries.
        return ("country",) if obj is not None else ()

    @admin.display(description=_("name"))
    def name(self, market: Market) -> str:
        return str(market.country.name)


class SkuInline(SupportStaffMaintains, admin.TabularInline):
    model = Sku
    fields = ("sku_id", "title", "term", "billing", "min_quantity", "max_quantity")
    extra = 0
    show_change_link = True


class ProductExclusionInline(SupportStaffMaintains, admin.TabularInline):
    model = MarketExclusion
    fk_name = "product"
    fields = ("market",)
    extra = 0
    verbose_name = _("market where this product is not sold")
    verbose_name_plural = _("markets where this product is not sold")


class SoftwareVariantForm(forms.ModelForm):
    class Meta:
        model = SoftwareVariant
        fields = ("version", "language", "file_type", "file")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload and "file" in self.changed_data:
            self.instance.size_bytes, self.instance.sha256 = file_fingerprint(upload)
        return cleaned


class SoftwareVariantInline(SupportStaffMaintains, admin.TabularInline):
    model = SoftwareVariant
    form = SoftwareVariantForm
    fields = ("version", "language", "file_type", "file", "size_bytes", "sha256")
    readonly_fields = ("size_bytes", "sha256")
    extra = 0


@admin.register(Product)
class ProductAdmin(SupportStaffMaintains, admin.ModelAdmin):
    list_display = ("title", "product_id", "family", "publisher", "issues_keys", "is_cancellable",
                    "cancellation_window_days")
    list_filter = ("family", "issues_keys", "is_cancellable")
    search_fields = ("title", "product_id")
    inlines = (SkuInline, ProductExclusionInline, SoftwareVariantInline)


class AvailabilityForm(forms.ModelForm):
    """Refuse an availability in a market the product may not be offered in (the policy's rule)."""

    class Meta:
        model = Availability
        fields = ("sku", "market", "availability_id")

    def clean(self):
        cleaned = super().clean()
        try:
            # On its own page the SKU is a field; inline, the SKU (perhaps new and unsaved) is
            # already the instance's.
            product = (cleaned.get("sku") or self.instance.sku).product
        except ObjectDoesNotExist:
            return cleaned
        market = cleaned.get("market")
        reason = market and exclusion_reason(product=product, market=market)
        if reason:
            self.add_error("market", ValidationError(reason, code="market_unavailable"))
        return cleaned


class AvailabilityInline(SupportStaffMaintains, admin.TabularInline):
    model = Availability
    form = AvailabilityForm
    fields = ("market", "availability_id")
    extra = 0
    show_change_link = True


@admin.register(Sku)
class SkuAdmin(SupportStaffMaintains, admin.ModelAdmin):
    list_display = ("title", "sku_id", "product", "term", "billing")
    list_filter = ("term", "billing", "product__family")
    list_select_related = ("product",)
    search_fields = ("title", "product__title", "product__product_id")
    autocomplete_fields = ("product",)
    inlines = (AvailabilityInline,)


class PriceInlineFormSet(BaseInlineFormSet):
    """Refuse prices where the product may not be offered, and periods that overlap one another."""

    # Each row's own `clean` compares it with the stored periods.

    def clean(self):
        super().clean()
        availability = self.instance
        if availability.pk is not None and any(
            form.has_changed() and not form.cleaned_data.get("DELETE") for form in self.forms
        ):
            reason = exclusion_reason(
                product=availability.sku.product, market=availability.market
            )
            if reason:
                raise ValidationError(reason, code="market_unavailable")
        periods = sorted(
            (form.cleaned_data["valid_from"], form.cleaned_data.get("valid_to"))
            for form in self.forms
            if form.cleaned_data.get("valid_from") and not form.cleaned_data.get("DELETE")
        )
        for (start, end), (next_start, _next_end) in pairwise(periods):
            if end is None or end > next_start:
                raise ValidationError(
                    _("Two price periods overlap: the one from %(start)s must end before "
                      "the next begins."),
                    params={"start": date_format(localtime(start), "DATETIME_FORMAT")},
                    code="price_overlap",
                )


class PriceInline(SupportStaffMaintains, admin.TabularInline):
    model = Price
    formset = PriceInlineFormSet
    fields = ("unit_price", "currency_code", "valid_from", "valid_to")
    extra = 0


@admin.register(Availability)
class AvailabilityAdmin(SupportStaffMaintains, admin.ModelAdmin):
    form = AvailabilityForm
    list_display = ("sku", "market", "availability_id")
    list_filter = ("sku__product__family", "market__country")
    list_select_related = ("sku__product", "market")
    search_fields = ("availability_id", "sku__title", "sku__product__product_id")
    autocomplete_fields = ("sku",)
    inlines = (PriceInline,)


@admin.register(MarketExclusion)
class MarketExclusionAdmin(SupportStaffMaintains, admin.ModelAdmin):
    list_display = ("market", "family", "product")
    list_filter = ("family",)
    list_select_related = ("market", "product")
    search_fields = ("market__country", "product__title")
    autocomplete_fields = ("product",)
