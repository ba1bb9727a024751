"""Ask first in Chromium: the day asked about and every later one show "?", R reveals it (not Streamlit's rerun key),
→ moves on to the next question, Q turns the mode off; presenter mode's bar, whose + and − keys nudge a weight;
and the figures for slides."""

import numpy as np

from simulator import network, state
from simulator.data import BLUE
from simulator.explain import fmt
from tests.browser import wait_idle

SUCCESS = "[data-testid='stAlertContentSuccess']"


def tile(page, row, key, day):
    """The text a tile shows (day 1-based)."""
    return page.locator(f".ud-root [data-tile='{row}:{key}:1:{day - 1}'] b").inner_text()


def test_the_question_hides_its_day_in_the_diagram_and_r_reveals_it(page, app_server, ws_recorder):
    v = {s.name: s.default for s in state.SETTINGS.values()}
    tr = network.forward(v, network.params(v), np.array(BLUE.xs))
    page.goto(f"{app_server}/?ask=on&seq=blue&day=3")
    wait_idle(page)
    page.locator(".ud-root .ud-tile").first.wait_for()
    assert [tile(page, 0, "h", d) for d in (1, 2, 3, 9)] == [fmt(tr.h[0, 0]), fmt(tr.h[1, 0]), "?", "?"]
    assert tile(page, 0, "y", 3) == "?" and tile(page, 0, "x", 3) == fmt(BLUE.xs[2])  # the price is given
    assert "day 3 is the question" in page.locator(".ud-root .ud-eq").first.inner_text()
    assert page.locator(".js-plotly-plot").count() == 0  # the chart over time waits

    with ws_recorder.window() as revealing:
        page.locator("body").press("r")
        revealing.wait_runs(1)
    wait_idle(page)
    page.locator(SUCCESS).wait_for()
    assert revealing.runs == 1  # R revealed once; Streamlit's own R (rerun) did not run the page again
    assert f"The answer: {fmt(tr.h[2, 0])}" in page.locator(SUCCESS).inner_text()
    assert tile(page, 0, "h", 3) == fmt(tr.h[2, 0]) and tile(page, 0, "h", 4) == "?"
    assert page.locator(".js-plotly-plot").count() == 1

    page.locator("body").press("ArrowRight")  # the next day: a new question, hidden again
    page.wait_for_url("**day=4**")
    wait_idle(page)
    page.wait_for_function("() => document.querySelector('.ud-root').innerText.includes('day 4 is the question')")
    assert tile(page, 0, "h", 3) == fmt(tr.h[2, 0]) and tile(page, 0, "h", 4) == "?"
    assert page.locator(SUCCESS).count() == 0

    page.locator("body").press("q")  # Ask first off: every tile up to the day, the chart
    page.wait_for_function("() => !location.search.includes('ask=on')")
    wait_idle(page)
    assert tile(page, 0, "h", 4) == fmt(tr.h[3, 0]) and page.locator(".js-plotly-plot").count() == 1


def test_presenting_keeps_a_one_line_bar_and_plus_nudges_the_weight(page, app_server):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_server}/?present=on")
    wait_idle(page)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    bar = page.locator(".st-key-present-bar")
    assert bar.is_visible() and bar.bounding_box()["height"] < 70  # one slim line at 1280 px
    page.locator("body").press("+")
    page.wait_for_url("**w_h=-0.4**")
    wait_idle(page)
    page.wait_for_function("() => document.querySelector('.ud-root').innerText.includes('×(−0.4)')")
    page.locator("body").press("-")
    page.wait_for_function("() => !location.search.includes('w_h=')")  # back to the default, out of the link


def test_every_chart_and_the_diagram_download_as_png_and_svg_in_the_browser(chromium, app_server, tmp_path):
    context = chromium.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_server}/?seq=blue")
        wait_idle(page)
        bars = page.locator(".dl-bar")
        bars.nth(1).wait_for()
        assert bars.count() == 2  # the diagram, the chart over time
        got = {}
        for i in range(2):
            for kind in ("png", "svg"):
                with page.expect_download(timeout=20_000) as download:
                    bars.nth(i).locator(f"[data-format={kind}]").click()
                path = tmp_path / download.value.suggested_filename
                download.value.save_as(path)
                got[path.name] = path.read_bytes()
    finally:
        context.close()
    assert sorted(got) == ["unrolled-over_time.png", "unrolled-over_time.svg", "unrolled-unrolled.png",
                           "unrolled-unrolled.svg"]  # fmt: skip
    assert all(got[name].startswith(b"\x89PNG") for name in got if name.endswith(".png"))
    diagram, chart = got["unrolled-unrolled.svg"].decode(), got["unrolled-over_time.svg"].decode()
    assert diagram.startswith("<svg") and "foreignObject" in diagram and ">0.45<" in diagram  # h₁ of the blue company
    assert chart.startswith("<svg") and "Blue company: price" in chart
