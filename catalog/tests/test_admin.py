"""Support staff keep the catalogue in the admin; invalid edits are refused with clear messages."""

import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import (
    Availability,
    Market,
    MarketExclusion,
    Price,
    Product,
    ProductFamily,
    Sku,
    SoftwareVariant,
)
from partners.tests.factories import SupportStaffFactory, totp_enrol

from .factories import (
    AvailabilityFactory,
    MarketExclusionFactory,
    PriceFactory,
    ProductFactory,
    SkuFactory,
    market,
)


@pytest.fixture
def staff(db, client_for):
    """Operator support staff with admin access but no superuser powers nor model permissions."""
    user = SupportStaffFactory(email="catalogue@portal.example", is_staff=True)
    totp_enrol(user)
    return client_for(user)


def _inline(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    return data


def _price_row(unit_price: str, valid_from: str, valid_to: str = "") -> dict:
    day, _, time = valid_from.partition(" ")
    end_day, _, end_time = valid_to.partition(" ")
    return {"unit_price": unit_price, "currency_code": "EUR", "valid_from_0": day,
            "valid_from_1": time or "00:00:00", "valid_to_0": end_day,
            "valid_to_1": end_time or ("00:00:00" if end_day else "")}


def _errors(response) -> list:
    """The admin form's and inlines' errors, for a failure message."""
    context = response.context
    return [context["adminform"].form.errors,
            *[formset.formset.errors + [formset.formset.non_form_errors()]
              for formset in context["inline_admin_formsets"]]]


def _availability_form(availability, price_rows: list[dict]) -> dict:
    return {"sku": availability.sku_id, "market": availability.market_id,
            "availability_id": availability.availability_id, "_save": "Save",
            **_inline("prices", price_rows)}


def test_support_staff_change_a_markets_tax_rate_in_the_admin(staff):
    assert staff.get("/admin/").content.decode().count("/admin/catalog/") >= 5
    response = staff.post("/admin/catalog/market/IT/change/", {
        "currency_code": "EUR", "tax_rate_percent": "22.50", "prices_include_tax": "",
        **_inline("exclusions", []), "_save": "Save",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Market.objects.get(country="IT").tax_rate_percent == Decimal("22.50")


@pytest.mark.parametrize("model", [Market, Product, Sku, Availability, MarketExclusion])
def test_support_staff_open_every_catalogue_list_and_form(staff, model):
    PriceFactory()
    base = f"/admin/catalog/{model._meta.model_name}"
    assert staff.get(f"{base}/").status_code == 200
    assert staff.get(f"{base}/add/").status_code == 200
    if model is Availability:
        assert staff.get(f"{base}/", {"market__country__exact": "IT"}).status_code == 200
    first = model.objects.values_list("pk", flat=True)[0]
    assert staff.get(f"{base}/{first}/change/").status_code == 200


def test_partner_staff_cannot_reach_the_catalogue_admin(global_admin, client_for):
    response = client_for(global_admin).get("/admin/catalog/market/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_unknown_currency_is_refused_with_a_clear_message(staff):
    response = staff.post("/admin/catalog/market/IT/change/", {
        "currency_code": "EUX", "tax_rate_percent": "22", **_inline("exclusions", []),
    })
    assert "EUX is not an ISO 4217 currency code." in response.content.decode()
    assert Market.objects.get(country="IT").currency_code == "EUR"


def test_an_availability_in_a_market_that_excludes_the_family_is_refused(staff):
    sku = SkuFactory(product=ProductFactory(family=ProductFamily.AZURE_RESERVATION))
    response = staff.post("/admin/catalog/availability/add/", {
        "sku": sku.pk, "market": "GL", "availability_id": "DZH318Z0GL01",
        **_inline("prices", [_price_row("10", "2025-01-01")]), "_save": "Save",
    })
    assert response.status_code == 200
    assert "Azure reservations are not available in Greenland." in response.content.decode()
    assert not Availability.objects.filter(sku=sku).exists()


def test_a_price_in_a_market_that_excludes_the_product_is_refused(staff):
    availability = AvailabilityFactory(market=market("DE"))
    product = availability.sku.product
    MarketExclusionFactory(market=market("DE"), product=product)
    response = staff.post(
        f"/admin/catalog/availability/{availability.pk}/change/",
        _availability_form(availability, [_price_row("10", "2025-01-01")]),
    )
    assert response.status_code == 200
    assert f"{product.title} is not available in Germany." in response.content.decode()
    assert not Price.objects.filter(availability=availability).exists()


def test_two_overlapping_periods_in_one_submission_are_refused(staff):
    availability = AvailabilityFactory()
    response = staff.post(
        f"/admin/catalog/availability/{availability.pk}/change/",
        _availability_form(availability, [
            _price_row("10", "2025-01-01", "2025-03-01"), _price_row("12", "2025-02-01"),
        ]),
    )
    assert response.status_code == 200
    assert "Two price periods overlap" in response.content.decode()
    assert not Price.objects.filter(availability=availability).exists()


def test_a_period_overlapping_a_stored_one_is_refused(staff):
    stored = PriceFactory()
    availability = stored.availability
    data = _availability_form(availability, [])
    data.update(_inline("prices", [
        {**_price_row("100", "2025-01-01"), "id": stored.pk, "availability": availability.pk},
        _price_row("12", "2025-06-01"),
    ], initial=1))
    response = staff.post(f"/admin/catalog/availability/{availability.pk}/change/", data)
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert Price.objects.filter(availability=availability).count() == 1


def test_consecutive_periods_are_accepted(staff):
    availability = AvailabilityFactory()
    response = staff.post(
        f"/admin/catalog/availability/{availability.pk}/change/",
        _availability_form(availability, [
            _price_row("10", "2025-01-01", "2025-03-01"), _price_row("12", "2025-03-01"),
        ]),
    )
    assert response.status_code == 302, _errors(response)
    assert list(Price.objects.filter(availability=availability).values_list(
        "unit_price", flat=True)) == [Decimal("10"), Decimal("12")]


def _product_form(product, variant_rows: list[dict]) -> dict:
    return {"product_id": product.product_id, "title": product.title,
            "publisher": product.publisher, "description": "", "family": product.family,
            "issues_keys": "on", "is_cancellable": "on", "cancellation_window_days": "60",
            **_inline("skus", []), **_inline("exclusions", []),
            **_inline("variants", variant_rows), "_save": "Save"}


def test_an_uploaded_variant_is_stored_with_its_size_and_sha256(staff):
    product = ProductFactory(family=ProductFamily.PERPETUAL_SOFTWARE)
    upload = SimpleUploadedFile("ws2022-en.iso", b"demo image" * 100)
    response = staff.post(f"/admin/catalog/product/{product.pk}/change/", _product_form(
        product, [{"version": "2022", "language": "en-US", "file_type": "ISO (x64)",
                   "file": upload}],
    ))
    assert response.status_code == 302, response.content.decode()[:3000]
    variant = SoftwareVariant.objects.get(product=product)
    assert variant.size_bytes == 1000
    assert variant.sha256 == hashlib.sha256(b"demo image" * 100).hexdigest()
    with variant.file.open("rb") as stored:
        assert stored.read() == b"demo image" * 100


def test_a_reservation_has_no_software_variants(staff):
    product = ProductFactory(family=ProductFamily.AZURE_RESERVATION)
    response = staff.post(f"/admin/catalog/product/{product.pk}/change/", _product_form(
        product, [{"version": "1", "language": "en-US", "file_type": "ISO",
                   "file": SimpleUploadedFile("x.iso", b"x")}],
    ))
    assert response.status_code == 200
    assert "Azure reservations have nothing to download." in response.content.decode(), _errors(
        response)
    assert not SoftwareVariant.objects.exists()


@pytest.mark.parametrize(
    ("family", "publisher"),
    [
        (ProductFamily.SOFTWARE_PLAN, "Microsoft Corporation"),
        (ProductFamily.SOFTWARE_PLAN, "SUSE"),
        (ProductFamily.PERPETUAL_SOFTWARE, "SUSE LLC"),
        (ProductFamily.SERVER_SUBSCRIPTION, "Red Hat, Inc."),
        (ProductFamily.PERPETUAL_SOFTWARE, "redhat"),
    ],
)
def test_a_suse_or_red_hat_plan_cannot_be_made_cancellable_in_the_admin(staff, family, publisher):
    form = {"product_id": "SUSEPLAN0001", "title": "SUSE Linux Enterprise Server for SAP plan",
            "publisher": publisher, "description": "", "family": family,
            "is_cancellable": "on", "cancellation_window_days": "60",
            **_inline("skus", []), **_inline("exclusions", []), **_inline("variants", []),
            "_save": "Save"}
    response = staff.post("/admin/catalog/product/add/", form)
    assert response.status_code == 200
    assert "can be neither cancelled nor exchanged" in response.content.decode()
    assert not Product.objects.filter(product_id="SUSEPLAN0001").exists()
    saved = staff.post("/admin/catalog/product/add/", {**form, "is_cancellable": ""})
    assert saved.status_code == 302, _errors(saved)
    product = Product.objects.get(product_id="SUSEPLAN0001")
    assert product.cancellation_policy.is_cancellable is False


def test_a_microsoft_product_may_still_be_cancellable_or_not(staff):
    for product_id, cancellable in (("MSFTPROD0001", "on"), ("MSFTPROD0002", "")):
        response = staff.post("/admin/catalog/product/add/", {
            "product_id": product_id, "title": "Windows Server 2025 Standard",
            "publisher": "Microsoft Corporation", "description": "",
            "family": ProductFamily.PERPETUAL_SOFTWARE, "is_cancellable": cancellable,
            "cancellation_window_days": "60", **_inline("skus", []),
            **_inline("exclusions", []), **_inline("variants", []), "_save": "Save"})
        assert response.status_code == 302, _errors(response)
    assert dict(Product.objects.filter(product_id__startswith="MSFTPROD").values_list(
        "product_id", "is_cancellable")) == {"MSFTPROD0001": True, "MSFTPROD0002": False}
