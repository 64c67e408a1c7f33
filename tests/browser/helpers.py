"""What every browser test does: sign in (with TOTP when enrolled), use the gear menu, sign out."""

from __future__ import annotations

from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery staple"


def sign_in(page: Page, email: str) -> None:
    """Submit allauth's real sign-in form."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def open_gear_menu(page: Page) -> None:
    """Open the gear <details> by clicking its summary; a second click would close it."""
    gear = page.locator("details.gear")
    if not gear.evaluate("details => details.open"):
        gear.locator("summary").click()
    expect(page.locator("#gear-menu")).to_be_visible()


def close_gear_menu(page: Page) -> None:
    """Close the gear menu as a user would: while it is open it takes every click on the page."""
    page.locator("details.gear > summary").click()
    expect(page.locator("#gear-menu")).to_be_hidden()


def sign_out(page: Page) -> None:
    open_gear_menu(page)
    page.locator("#gear-menu").get_by_role("button", name="Sign out").click()
    expect(page.locator("input[name=login]")).to_be_visible()
    expect(page.locator("#main-menu")).to_have_count(0)


def expect_menus(page: Page, *, main: list[str], gear: list[str]) -> None:
    """The main menu and the gear menu's role-dependent entries are exactly these, in order."""
    expect(page.locator("#main-menu a")).to_have_text(main)
    open_gear_menu(page)
    expect(page.locator("#gear-menu a[data-nav]")).to_have_text(gear)
    close_gear_menu(page)


def current_totp_counter() -> int:
    # With the default tolerance of 0 this yields exactly the current 30-second step.
    counters = list(yield_hotp_counters_from_time())
    return counters[len(counters) // 2]


def submit_totp_code(page: Page, secret: str) -> None:
    """Complete allauth's TOTP step, once more if the 30-second step turned during the first."""
    for _attempt in range(2):
        counter = current_totp_counter()
        page.locator("input[name=code]").fill(format_hotp_value(hotp_value(secret, counter)))
        with page.expect_response(
            lambda r: r.url.endswith("/accounts/2fa/authenticate/") and r.request.method == "POST"
        ) as answer:
            page.get_by_role("button", name="Sign In").click()
        if answer.value.status == 302:
            return
        # A refused code is only excusable when the step changed between computing and checking.
        assert current_totp_counter() != counter, "the current TOTP code was refused"
    pytest.fail("two consecutive TOTP codes were refused")


AXE_SOURCE_PATH = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# WCAG 2.1 A and AA: the level a commercial portal is held to; "best-practice" rules are advisory.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BLOCKING_IMPACTS = ("serious", "critical")


def serious_accessibility_violations(page: Page) -> list[str]:
    """Run axe-core on the page; describe each serious or critical violation and where it is."""
    # evaluate() goes through the DevTools protocol, so the page's CSP (no inline script) allows it.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE_PATH.read_text("utf-8"))
    result = page.evaluate("options => window.axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
