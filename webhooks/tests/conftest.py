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


@pytest.fixture
def processes(tmp_path):
    """The portal's own worker processes for a test, stopped afterwards (tests/faults)."""
    from tests.faults import servers

    started = servers.Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        started.report()
