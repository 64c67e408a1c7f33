"""Gates the whole suite relies on: N+1 queries fail a request, production settings are safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from zeal import NPlusOneError
from zeal.middleware import zeal_middleware

from partners.models import User
from partners.tests.factories import UserFactory

REPO = Path(__file__).resolve().parent.parent


def test_an_n_plus_one_query_in_a_request_fails(owner_partner, outsider_partner):
    for n in range(3):
        UserFactory(partner=owner_partner if n % 2 else outsider_partner)

    def view_with_n_plus_one(request):
        return HttpResponse(", ".join(user.partner.name for user in User.objects.all()))

    with pytest.raises(NPlusOneError):
        zeal_middleware(view_with_n_plus_one)(RequestFactory().get("/"))


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_prints_no_warning():
    result = _manage(
        "check", "--deploy", "--settings=csp_portal.settings.prod",
        env_extra={"SECRET_KEY": "k" * 20 + "-production-grade-secret-value-0123456789abcdef"},
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", "--settings=csp_portal.settings.prod", env_extra={})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
