"""No secret reaches a log: not the activation key, a download link's token, an API token, an
invitation or reset key, a password or a TOTP secret.

Django logs the path of every 4xx answer and gunicorn logs every request line and referrer, so
both runs below go through the pages and links that carry secrets, logging at DEBUG (SQL with its
parameters included in the first), then search the log text for each secret.
"""

from __future__ import annotations

import io
import logging
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.db import connection
from django.test import Client

from core.logging import redact
from core.roles import Role
from core.tenancy import partner_scope
from partners.invitations import invitation_path
from partners.models import Invitation
from partners.services import api_token_issue
from partners.tests.factories import UserFactory, totp_enrol
from scripts.run_portal import commands

from .conftest import activation_key, keys_url, variant_form

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "another horse, battery and staple"
REPO = Path(__file__).resolve().parents[2]
# The loggers an operator would raise to DEBUG; LOGGING keeps django.template at INFO, since
# at DEBUG it prints page contexts.
LOGGERS = ("", "django", "django.request", "django.db.backends", "celery", "allauth", "kombu")
DOWNLOAD_LINK = re.compile(
    r'id="download-link" type="text" readonly value="[^"]*/downloads/([^"]+)"'
)
NEW_TOKEN = re.compile(r"cspp_[0-9a-f]+_[A-Za-z0-9_-]+")


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _api_secret(api_token: str) -> str:
    """The secret part of cspp_<lookup id>_<secret> (the secret may hold underscores too)."""
    return api_token.split("_", 2)[2]


def _leaks(log: str, secrets: dict[str, str]) -> list[str]:
    return [name for name, secret in secrets.items() if secret and secret in log]


def test_redaction_hides_each_kind_of_secret_and_keeps_the_rest(global_admin):
    with partner_scope(global_admin.partner):
        _token, api_token = api_token_issue(actor=global_admin, name="logs")
    lookup = api_token.split("_")[1]
    line = (
        f'GET /downloads/{"A" * 43} 200 "/invitation/MTI/cb6-0123abcd/" '
        f"/accounts/password/reset/key/c-set-password/ /accounts/confirm-email/MTI:1abc/ "
        f"Authorization: Bearer {api_token} key BCDFG-HJKMP-QRTVW-XY234-6789B "
        f"?token=abc&page=2&key=xyz /customers/42/orders/ {api_token} "
        """'{"secret": "GT5TZAENUY3H2R4E"}'::jsonb Jsonb({'secret': 'GT5TZ ... (46 chars)) """
        "{'new_password1': 'correct horse', 'title': 'Locked out'}"
    )
    assert redact(line) == (
        'GET /downloads/[redacted] 200 "/invitation/MTI/[redacted]/" '
        "/accounts/password/reset/key/[redacted]/ /accounts/confirm-email/[redacted]/ "
        "Authorization: Bearer [redacted] key [redacted] "
        f"?token=[redacted]&page=2&key=[redacted] /customers/42/orders/ cspp_{lookup}_[redacted] "
        """'{"secret": "[redacted]"}'::jsonb Jsonb({'secret': '[redacted] ... (46 chars)) """
        "{'new_password1': '[redacted]', 'title': 'Locked out'}"
    )


@pytest.fixture
def captured_logs(settings):
    """Everything logged, at DEBUG, through the handler LOGGING gives production processes."""
    buffer = io.StringIO()
    [console] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = console.setStream(buffer)
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    # Django logs SQL only with DEBUG on or a debug cursor: this run logs it too, with params.
    connection.force_debug_cursor = True
    yield buffer
    connection.force_debug_cursor = False
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    console.setStream(stream)


def test_a_partners_day_logs_no_secret(captured_logs, owner_partner, purchase, variant, customer):
    agent = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    browser = Client()
    # Sign in, enrol TOTP (the portal demands it of an Admin agent), sign in again with it.
    browser.post("/accounts/login/", {"login": agent.email, "password": PASSWORD})
    browser.post("/accounts/reauthenticate/", {"password": PASSWORD})
    enrolment = browser.get("/accounts/2fa/totp/activate/")
    totp_secret = enrolment.context["form"].secret
    browser.post("/accounts/2fa/totp/activate/", {"code": _totp_code(totp_secret)})
    browser.post("/accounts/logout/")
    browser.post("/accounts/login/", {"login": agent.email, "password": PASSWORD})
    browser.post("/accounts/2fa/authenticate/", {"code": _totp_code(totp_secret)})
    # Keys and a link; the link downloads, a mangled copy is 404, and a newer link retires it.
    page = browser.post(keys_url(purchase), variant_form(variant)).content.decode()
    first_token = DOWNLOAD_LINK.search(page).group(1)
    assert Client().get(f"/downloads/{first_token}").status_code == 200
    assert Client().get(f"/downloads/{first_token}x").status_code == 404
    page = browser.post(keys_url(purchase), variant_form(variant)).content.decode()
    second_token = DOWNLOAD_LINK.search(page).group(1)
    assert Client().get(f"/downloads/{first_token}").status_code == 410
    # A personal API token: made in the settings page, used, and a forged one refused.
    tokens_page = browser.post(
        "/settings/api-tokens/", {"name": "CI", "days_valid": 30}, follow=True
    )
    api_token = NEW_TOKEN.search(tokens_page.content.decode()).group(0)
    forged = api_token[:-4] + ("AAAA" if not api_token.endswith("AAAA") else "BBBB")
    assert Client().get("/v1/me", HTTP_AUTHORIZATION=f"Bearer {api_token}").status_code == 200
    assert Client().get("/v1/me", HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401
    api_keys = Client().post(
        f"/v1/customers/{customer.entra_tenant_id}/entitlements/{purchase.pk}/keysanddownloads",
        {"version": "2022", "language": "en-US", "fileType": "ISO (x64)"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token}",
    )
    assert api_keys.status_code == 200
    third_token = api_keys.json()["downloadLink"]["uri"].rsplit("/", 1)[1]
    browser.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    browser.post("/accounts/login/", {"login": agent.email, "password": "a wrong guess 123"})

    log = captured_logs.getvalue()
    secrets = {
        "activation key": activation_key(purchase),
        "first download token": first_token,
        "second download token": second_token,
        "API download token": third_token,
        "API token": _api_secret(api_token),
        "forged API token": _api_secret(forged),
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "TOTP secret": totp_secret,
    }
    assert _leaks(log, secrets) == []
    # The run was logged: the requests, their refusals and the SQL are all in the text.
    assert "Gone: /downloads/[redacted]" in log and "Not Found: /downloads/[redacted]" in log
    assert "Unauthorized: /v1/me" in log and "INSERT INTO" in log


# --- a real gunicorn, as `make run` starts it --------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(transactional_db, settings, tmp_path):
    """The portal's web command from scripts/run_portal.py, on this test's database, at DEBUG."""
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csp_portal.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "DEBUG",
        "PYTHONUNBUFFERED": "1",
    }
    argv = commands("127.0.0.1", str(port), tmp_path)["web"]
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - the project's own command line
            argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"

    def stop() -> str:
        """Stop the server, then return all it logged (a line is written after its answer)."""
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        return log_path.read_text()

    try:
        _wait_until_up(base, server, log_path)
        yield base, stop
    finally:
        stop()


def _database_url() -> str:
    """DATABASE_URL (csp_portal.settings.test sets it) pointed at this run's test database."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


def _wait_until_up(base: str, server, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
        try:
            requests.get(f"{base}/accounts/login/", timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer in 60 s:\n{log_path.read_text()[-3000:]}")


def _post_form(session: requests.Session, base: str, path: str, data: dict, *, form=None):
    session.get(base + (form or path), timeout=10)
    token = session.cookies["csrftoken"]
    return session.post(
        base + path, data={**data, "csrfmiddlewaretoken": token}, timeout=10, allow_redirects=False
    )


def test_a_gunicorn_run_logs_no_secret(gunicorn, owner_partner, purchase, variant, global_admin):
    base, stop = gunicorn
    agent = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    totp_secret = totp_enrol(agent)
    browser = requests.Session()
    signed = _post_form(
        browser, base, "/accounts/login/", {"login": agent.email, "password": PASSWORD}
    )
    assert signed.headers["Location"] == "/accounts/2fa/authenticate/"
    _post_form(browser, base, "/accounts/2fa/authenticate/", {"code": _totp_code(totp_secret)})
    page = _post_form(
        browser,
        base,
        keys_url(purchase),
        variant_form(variant),
        form=f"/customers/{purchase.customer.entra_tenant_id}/software/",
    ).text
    token = DOWNLOAD_LINK.search(page).group(1)
    link = f"{base}/downloads/{token}"
    assert requests.get(link, timeout=10).status_code == 200
    assert requests.get(link + "x", timeout=10).status_code == 404
    # A page opened from the link has it as its referrer, which the access log writes too.
    requests.get(f"{base}/healthz", headers={"Referer": link}, timeout=10)
    _post_form(
        browser,
        base,
        keys_url(purchase),
        variant_form(variant),
        form=f"/customers/{purchase.customer.entra_tenant_id}/software/",
    )
    assert requests.get(link, timeout=10).status_code == 410
    _post_form(browser, base, "/settings/api-tokens/", {"name": "CI", "days_valid": 30})
    tokens_page = browser.get(f"{base}/settings/api-tokens/", timeout=10)
    api_token = NEW_TOKEN.search(tokens_page.text).group(0)
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert requests.get(f"{base}/v1/me?token={api_token}", headers=bearer, timeout=10).ok
    # An invitation: the Global admin invites; the link (mailed by the worker) is used, then dead.
    admin = requests.Session()
    _post_form(admin, base, "/accounts/login/", {"login": global_admin.email, "password": PASSWORD})
    _post_form(
        admin,
        base,
        "/settings/users/invite/",
        {"email": "newcomer@owner.example", "full_name": "New Comer", "roles": ["sales_agent"]},
    )
    invitation = invitation_path(
        Invitation.objects.all_partners().get(email="newcomer@owner.example")
    )
    newcomer = requests.Session()
    accepted = _post_form(
        newcomer, base, invitation, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert accepted.status_code == 302
    assert newcomer.get(base + invitation, timeout=10).status_code == 410
    # A password reset link, opened once.
    global_admin.refresh_from_db()
    reset_key = default_token_generator.make_token(global_admin)
    reset_path = f"/accounts/password/reset/key/{user_pk_to_url_str(global_admin)}-{reset_key}/"
    assert requests.get(base + reset_path, timeout=10, allow_redirects=False).status_code == 302
    for session in (browser, admin, newcomer):
        session.close()
    server_log = stop()

    secrets = {
        "activation key": activation_key(purchase),
        "download token": token,
        "API token": _api_secret(api_token),
        "invitation token": invitation.rstrip("/").rsplit("/", 1)[1],
        "password reset key": reset_key,
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "TOTP secret": totp_secret,
    }
    assert _leaks(server_log, secrets) == []
    # The access log and Django's log were both written, with the secrets replaced.
    assert '"GET /downloads/[redacted] HTTP/1.1" 200' in server_log
    assert "Gone: /downloads/[redacted]" in server_log
    assert f'"{base}/downloads/[redacted]"' in server_log, "the referrer is redacted too"
    assert invitation.rstrip("/").rsplit("/", 1)[0] + "/[redacted]/" in server_log
    assert "/password/reset/key/[redacted]/" in server_log


@pytest.mark.parametrize("path", ["Dockerfile", "docker-compose.yml"])
def test_every_other_gunicorn_command_uses_the_redacting_logger(path):
    # scripts/run_portal.py's command is the one run above; the image and compose read the same
    # gunicorn.conf.py, which names the logger.
    words = re.sub(r'["\\,\s]+', " ", (REPO / path).read_text())
    servers = words.count("gunicorn csp_portal.wsgi:application")
    assert servers > 0
    assert words.count("gunicorn csp_portal.wsgi:application --config gunicorn.conf.py") == servers
    config = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert config["logger_class"] == "core.logging.RedactingGunicornLogger"


def test_the_celery_worker_redacts_its_log_too():
    # The worker replaces Django's log handlers with its own when it starts.
    token = "Q" * 43
    script = (
        "import logging\n"
        "from csp_portal.celery import app\n"
        "app.log.setup(loglevel='INFO')\n"
        f"logging.getLogger('celery.worker').warning('link /downloads/{token}')\n"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "csp_portal.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "link /downloads/[redacted]" in result.stderr, result.stderr
    assert token not in result.stderr + result.stdout
