"""Headless Chromium for the browser tests: one browser for the package, a fresh context per test.

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
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Generous for a loaded CI machine; a passing run waits only as long as the page needs.
TIMEOUT_MS = 15_000


def _unavailable(reason: str, error: Exception | None = None) -> NoReturn:
    """Skip without a browser on a developer machine; CI must never skip silently."""
    if os.environ.get("CI") == "true":
        detail = f"\n{error}" if error is not None else ""
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped){detail}", pytrace=False)
    # Playwright's errors carry the whole browser log; its first line is enough for a skip.
    first_line = str(error).strip().splitlines()[0] if error is not None else ""
    pytest.skip(f"{reason}: {first_line}" if first_line else reason)


# One browser for the whole browser test package. Package scope rather than session scope, so
# that Playwright stops, and the async-unsafe switch below is lifted, before the rest of the suite
# runs: both would otherwise last until the end of the session (see the comment below).
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio event loop running in the main thread (under
        # greenlets) from start() to stop(). Django sees that loop and refuses every ORM call
        # from the main thread with SynchronousOnlyOperation, so the factories, the fixtures and
        # pytest-django's flush between tests would fail. Nothing runs concurrently with that
        # loop (each Playwright call blocks until done; the live server answers in its own
        # thread), so switching the check off is safe here. It is set only while Playwright
        # runs: a process-wide setting would also reach subprocesses such as
        # `manage.py check --deploy`, which rightly reports it as async.E001.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        try:
            playwright = sync_playwright().start()
        except Exception as error:  # noqa: BLE001 - any start-up failure means "no browser"
            _unavailable("Playwright could not start", error)
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001
            playwright.stop()
            _unavailable(f"{CHROMIUM} could not start", error)
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield chromium
        finally:
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


LAPTOP = {"width": 1280, "height": 900}
# An iPhone SE/13 mini-sized screen: the narrowest the portal is held to.
PHONE = {"width": 375, "height": 812}


def _fresh_context(
    browser: Browser, live_server, *, locale: str = "en-GB", viewport: dict = LAPTOP
) -> BrowserContext:
    """A context with no cookies against the live server, in English on a laptop-sized screen
    unless told otherwise."""
    context = browser.new_context(
        base_url=live_server.url,
        locale=locale,
        timezone_id="Europe/Rome",
        viewport=viewport,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def another_browser(browser, live_server) -> Iterator[Callable[..., Page]]:
    """Open a page in a browser of its own: a second person in the same test, e.g. support staff,
    or the same person with another language (`locale="it-IT"`) or screen (`viewport=PHONE`)."""
    contexts: list[BrowserContext] = []

    def open_page(**options) -> Page:
        contexts.append(_fresh_context(browser, live_server, **options))
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser, live_server, screenshot_dir, request) -> Iterator[Page]:
    """A page in a fresh context (no cookies) against the live server, in English."""
    context = _fresh_context(browser, live_server)
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
