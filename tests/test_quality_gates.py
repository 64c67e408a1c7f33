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
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_prints_no_warning():
    result = _manage(
        "check",
        "--deploy",
        "--settings=csp_portal.settings.prod",
        env_extra={"SECRET_KEY": "k" * 20 + "-production-grade-secret-value-0123456789abcdef"},
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", "--settings=csp_portal.settings.prod", env_extra={})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("path", ["/accounts/login/", "/settings/users/", "/healthz"])
def test_pages_carry_security_headers_and_a_csp_with_frame_ancestors(
    global_admin, client_for, path
):
    response = client_for(global_admin).get(path)
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_password_reset_sends_a_link_by_email(global_admin, mailoutbox):
    from django.test import Client

    response = Client().post("/accounts/password/reset/", {"email": global_admin.email})
    assert response.status_code == 302
    [mail] = mailoutbox
    assert "/accounts/password/reset/key/" in mail.body
