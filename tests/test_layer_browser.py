"""The Layer page in headless Chromium: deep links at n = 2, 64 and the trap, desktop and phone, and a weight
edited in its table going into the link."""

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from simulator import network
from tests.browser import wait_idle

EXCEPTION = "[data-testid='stException']"
TABLE = "[data-testid='stDataFrame']"
WAIT = 120_000  # ms: a busy machine draws eight charts slowly


def open_layer(page, app_server, query, width=1400):
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{app_server}/layer?{query}")
    page.get_by_role("heading", name="A layer of neurons").wait_for(timeout=WAIT)
    wait_idle(page, WAIT)
    assert page.locator(EXCEPTION).count() == 0


def cells(page):
    """The table's cells as text, row by row (from the grid's accessible table, drawn once the grid has loaded)."""
    page.locator(f"{TABLE} td").first.wait_for(state="attached", timeout=WAIT)
    return page.locator(f"{TABLE} td").all_inner_texts()


@pytest.mark.parametrize("width", [1400, 390])
def test_a_deep_link_draws_every_chart_and_the_table(page, app_server, width):
    open_layer(page, app_server, "units=2", width)
    assert page.locator(".js-plotly-plot").count() == 8  # 4 + the hidden state of blue and red, 2 each
    assert cells(page)[:6] == ["unit 1", "-0.5", "0", "1.8", "0", "0.55"]


def test_64_units_draw_without_a_table(page, app_server):
    open_layer(page, app_server, "units=64&recipe=orthogonal&rho=1")
    assert page.locator(TABLE).count() == 0 and page.locator(".js-plotly-plot").count() == 8
    assert page.get_by_text("Up to 8 units every weight is a number to edit").count() == 1


def test_the_trap_with_one_unit_says_it_needs_two(page, app_server):
    open_layer(page, app_server, "units=1&recipe=trap")
    assert page.get_by_text("The trap needs 2 units or more").count() == 1


def edit_cell(page, ws_recorder, column, row, text, attempts=3):
    """Type ``text`` into the data grid's cell (column, row), counted from 0 with the header as row 0, and wait
    for the rerun it sends.

    The grid is a canvas: it takes clicks only once drawn, and charts drawn late can move it. So each try scrolls
    it into view and measures it again, and a double-click that came too early is tried again.
    """
    grid = page.locator(TABLE)
    for attempt in range(attempts):
        grid.scroll_into_view_if_needed()
        wait_idle(page, WAIT)
        box = grid.bounding_box()
        columns, height = 6, 35  # the unit's name, h1, h2, w_x, b, w_y; Streamlit's rows are 35 px, the header too
        with ws_recorder.window() as traffic:
            page.mouse.dblclick(box["x"] + box["width"] / columns * (column + 0.5), box["y"] + (row + 0.5) * height)
            page.wait_for_timeout(300)
            page.keyboard.press("Control+a")
            page.keyboard.type(text)
            page.keyboard.press("Enter")
            try:
                traffic.wait_runs(1, WAIT / attempts)
                return
            except TimeoutError:
                if attempt == attempts - 1:
                    raise
                page.keyboard.press("Escape")


def test_a_weight_edited_in_the_table_goes_into_the_link(page, app_server, ws_recorder):
    open_layer(page, app_server, "units=2")
    cells(page)
    edit_cell(page, ws_recorder, 1, 2, "0.3")  # unit 2's weight from h1
    page.wait_for_timeout(500)
    edited = network.parse_table(parse_qs(urlparse(page.url).query)["layer"][0])
    np.testing.assert_array_equal(edited[:, :2], [[-0.5, 0.0], [0.3, -0.5]])
    assert cells(page)[6:9] == ["unit 2", "0.3", "-0.5"]
    assert page.get_by_text("Edited by hand").count() == 1 and page.locator(EXCEPTION).count() == 0
