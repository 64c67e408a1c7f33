import pytest

from .receiver import receiver_start


@pytest.fixture(scope="module")
def _receiver_server():
    receiver, server = receiver_start()
    yield receiver
    receiver.released.set()
    server.shutdown()


@pytest.fixture
def receiver(_receiver_server, settings):
    """The module's receiver, reset, with loopback and http allowed for it."""
    settings.PORTAL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.PORTAL_WEBHOOKS_ALLOW_HTTP = True
    _receiver_server.reset()
    yield _receiver_server
    _receiver_server.released.set()

