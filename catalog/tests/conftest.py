import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Files written through the default storage land in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
