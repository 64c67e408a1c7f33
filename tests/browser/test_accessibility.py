"""axe-core on every page of tests/routes.py: each route that answers an HTML page is opened in a
real browser by a user its access allows (anonymous for public ones), with objects of their own
partner in its path, and must show no serious or critical WCAG 2.1 A/AA violation nor log a
Content Security Policy violation. A route added tomorrow is walked tomorrow."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import BrowserContext

from core.roles import PARTNER_ROLE_PERMISSIONS, SUPPORT_STAFF_ACTIONS, Role
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import serious_accessibility_violations
from tests.routes import all_routes
from tests.test_route_matrix import _path_for

pytestmark = pytest.mark.browser

PAGES = [route for route in all_routes() if not route.is_api]
# Answers that are no page of their own: a POST-only route's refusal of a GET.
NOT_A_PAGE = {405}


def _viewer(route, role_users, support_user):
    """Who opens the route: nobody for a public page, else a user whose role it allows."""
    access = dict(route.method_access).get("GET", route.access)
    if access.public:
        return None
    if access.action is None:
        return role_users[Role.GLOBAL_ADMIN]
    if access.action in SUPPORT_STAFF_ACTIONS:
        return support_user
    allowed = PARTNER_ROLE_PERMISSIONS[access.action]
    return role_users[next(role for role in Role if role in allowed)]


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in ("INVOICE_PDF_STORAGE", "SUPPORT_ATTACHMENT_STORAGE"):
        setattr(settings, name, {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / name.lower())},
        })


def test_every_html_page_of_the_route_table_passes_axe(
    browser, live_server, role_users, support_user, screenshot_dir, private_storage
):
    contexts: dict[object, BrowserContext] = {}

    def context_of(user) -> BrowserContext:
        if user not in contexts:
            context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                          timezone_id="Europe/Rome",
                                          viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            if user is not None:
                client = Client()
                client.force_login(user)
                context.add_cookies([{"name": "sessionid", "url": live_server.url,
                                      "value": client.cookies["sessionid"].value}])
            contexts[user] = context
        return contexts[user]

    checked, findings, csp_reports = [], {}, []
    try:
        for route in PAGES:
            user = _viewer(route, role_users, support_user)
            # Support staff belong to no partner: they open the owner partner's objects.
            owner = user if user is not None and user.partner_id else role_users[
                Role.GLOBAL_ADMIN]
            path = _path_for(route, owner)
            context = context_of(user)
            # Asked first without rendering: a browser refuses to show an empty 405 at all.
            answer = context.request.get(path)
            if answer.status in NOT_A_PAGE or not answer.headers.get(
                "content-type", ""
            ).startswith("text/html"):
                continue
            page = context.new_page()
            page.on("console", lambda message, path=path: csp_reports.append(
                f"{path}: {message.text}") if "Content Security Policy" in message.text else None)
            page.goto(path)
            checked.append(path)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", route.name or route.pattern)
            page.screenshot(path=screenshot_dir / f"{len(checked):02d}-{name}.png",
                            full_page=True)
            found = serious_accessibility_violations(page)
            if found:
                findings[f"{path} ({route.name})"] = found
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert findings == {}
    assert csp_reports == []
    # 33 of the 47 routes answer a page today (the rest are POST-only, CSV, JSON or files): a
    # walk that reached far fewer would prove little.
    assert len(checked) >= 30, checked
