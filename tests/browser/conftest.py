"""Headless Chromium for the browser tests: one browser per session, a fresh context per test.

Playwright drives the distribution's Chromium at /usr/bin/chromium and never downloads a browser
of its own (`playwright install` is not part of the setup; `scripts/ensure_chromium.sh` is).
Without a working Chromium the tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the main thread (under greenlets) for the
# whole life of the browser. Django sees that running loop and refuses ORM calls from the main
# thread with SynchronousOnlyOperation, so the factories, the fixtures and pytest-django's
# database flush between tests would all fail. Nothing here runs concurrently with that loop:
# every Playwright call blocks until it is done, and the live server answers in its own thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Generous for a loaded CI machine; a passing run waits only as long as the page needs.
TIMEOUT_MS = 15_000


def _unavailable(reason: str) -> None:
    """Skip without a browser on a developer machine; CI must never skip silently."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh")
    try:
        playwright = sync_playwright().start()
    except Exception as error:  # noqa: BLE001 - any start-up failure means "no browser"
        _unavailable(f"Playwright could not start: {error}")
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:  # noqa: BLE001
        playwright.stop()
        _unavailable(f"Chromium could not start: {error}")
    expect.set_options(timeout=TIMEOUT_MS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test so `page` can save a screenshot when the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def screenshot_dir(request) -> Path:
    """artifacts/screenshots/<test name>/, emptied so it holds only this run's pictures."""
    folder = SCREENSHOTS_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def page(browser, live_server, screenshot_dir, request) -> Iterator[Page]:
    """A page in a fresh context (no cookies) against the live server, in English."""
    context: BrowserContext = browser.new_context(
        base_url=live_server.url, locale="en-GB", timezone_id="Europe/Rome",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=screenshot_dir / "failure.png", full_page=True)
    context.close()


@pytest.fixture
def screenshot(page, screenshot_dir) -> Callable[[str], Path]:
    """Save a numbered full-page screenshot of the current step: screenshot("signed-in")."""
    taken = 0

    def take(step: str) -> Path:
        nonlocal taken
        taken += 1
        path = screenshot_dir / f"{taken:02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take
