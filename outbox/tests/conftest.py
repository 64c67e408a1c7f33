import pytest

from .backends import RefusingEmailBackend


@pytest.fixture
def refused_addresses(settings, mailoutbox):
    """Addresses the mail server refuses while the test adds them to the returned set."""
    settings.EMAIL_BACKEND = "outbox.tests.backends.RefusingEmailBackend"
    RefusingEmailBackend.refused = set()
    yield RefusingEmailBackend.refused
    RefusingEmailBackend.refused = set()
