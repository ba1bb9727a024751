"""The Why LSTM page in headless Chromium: it draws at each T, its controls rerun it, and its link carries them."""

import re

import pytest

from tests.browser import wait_idle
from tests.test_browser import EXCEPTION, NAVIGATION, nav_titles

CHARTS = ".js-plotly-plot .main-svg"


@pytest.mark.parametrize("days", ["9", "1000"])
def test_the_page_draws_both_charts_and_statquests_numbers(page, app_server, days):
    page.goto(f"{app_server}/why?days={days}")
    page.get_by_role("heading", name="Why LSTM", level=1).wait_for(
        timeout=30_000
    )  # after the entry point's guard, if any
    wait_idle(page)
    assert page.locator(".js-plotly-plot").count() == 2
    assert page.get_by_text(f"How far the gradient reaches back over {int(days):,} days").count() == 1
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "0.0064" in text and "0.969" in text and "2.948" in text and "0.986" in text
    assert page.locator(EXCEPTION).count() == 0
    assert "Why LSTM" in NAVIGATION and nav_titles(page) == NAVIGATION


def button(page, text):
    """The sidebar's button that reads exactly `text` (a segmented control's option)."""
    return page.locator("[data-testid='stSidebar'] button").filter(has_text=re.compile(f"^{re.escape(text)}$"))


def test_a_control_reruns_the_page_into_the_link(page, app_server):
    page.goto(f"{app_server}/why")
    page.get_by_role("heading", name="Why LSTM", level=1).wait_for(timeout=30_000)
    wait_idle(page)
    button(page, "Company B").click()
    page.wait_for_url("**company=B**", timeout=30_000)
    wait_idle(page)
    assert "day 4 · x = 1" in page.locator("[data-testid='stMain']").inner_text()
    button(page, "100").click()
    page.wait_for_url("**days=100**", timeout=30_000)
    wait_idle(page)
    assert page.get_by_text("How far the gradient reaches back over 100 days").count() == 1
    assert page.locator(EXCEPTION).count() == 0
