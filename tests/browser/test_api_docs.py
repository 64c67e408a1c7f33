"""The API docs at /v1/docs/ work in a real browser under the portal's Content Security Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_docs_render_and_search_under_the_csp(page):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/v1/docs/")
    expect(page.get_by_role("heading", name=re.compile("CSP Partner Portal API"))).to_be_visible()
    page.get_by_placeholder("Search...").fill("invoice")
    expect(page.locator("[role=search] li").first).to_be_visible()
    # Only Redocly's logo, from its own site, is refused; the image then hides itself.
    assert [text for text in refused if "cdn.redoc.ly" not in text] == []
