import pytest

from catalog.services import software_variant_store
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for

FILE_CONTENT = bytes(range(256)) * 40  # 10 KiB, every byte value


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def customer(owner_partner):
    return CustomerFactory(partner=owner_partner, country="IT", company_name="Contoso Italia")


@pytest.fixture
def purchase(customer, global_admin):
    order = order_for(
        customer, actor=global_admin, issues_keys=True, title="Windows Server 2022 Standard"
    )
    return order.lines.model.objects.all_partners().get(order=order)


@pytest.fixture
def variant(purchase):
    return software_variant_store(
        product=purchase.product,
        version="2022",
        language="en-US",
        file_type="ISO (x64)",
        filename="ws2022-en.iso",
        content=FILE_CONTENT,
    )


@pytest.fixture
def other_variant(purchase):
    return software_variant_store(
        product=purchase.product,
        version="2022",
        language="it-IT",
        file_type="ISO (x64)",
        filename="ws2022-it.iso",
        content=b"italiano" * 100,
    )
