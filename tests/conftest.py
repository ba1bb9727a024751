"""Fixtures for browser tests: a Streamlit server per session (or per test) and a fresh Playwright page."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

import pytest

from tests.browser import CHROMIUM, WsRecorder, chromium_available, launch, start_server, stop_server, unavailable

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page, Playwright

BROWSER_FIXTURES = {"app_server", "fresh_server", "chromium", "page", "ws_recorder"}
VIEWPORT = {"width": 1400, "height": 1000}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the real app in headless Chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a browser fixture with ``browser`` (a parameter that shares a fixture's name, such
    as a link's ``page``, is not one)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        parameters = set(callspec.params) if callspec else set()
        if BROWSER_FIXTURES & (set(getattr(item, "fixturenames", ())) - parameters):
            item.add_marker(pytest.mark.browser)


def require_browser() -> None:
    """Skip if Playwright or Chromium is missing; fail instead when CI=true."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package")
    if not chromium_available():
        missing.append(f"Chromium at {CHROMIUM}")
    if missing:
        unavailable(f"browser test needs {' and '.join(missing)}")


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Playwright]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def chromium(_playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    browser = launch(_playwright)
    yield browser
    browser.close()


def _serve() -> Iterator[str]:
    require_browser()
    proc, base_url = start_server()
    yield base_url
    stop_server(proc)


@pytest.fixture(scope="session")
def app_server() -> Iterator[str]:
    """Base URL of the app, served by one Streamlit process for the whole session."""
    yield from _serve()


@pytest.fixture
def fresh_server() -> Iterator[str]:
    """Base URL of a new Streamlit process, for tests about the first request a server sees."""
    yield from _serve()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A blank page in a new browser context (1400x1000); navigate it yourself."""
    context = chromium.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


@pytest.fixture
def ws_recorder(page: Page) -> WsRecorder:
    """Websocket recorder on ``page``, attached before any navigation."""
    return WsRecorder(page)
