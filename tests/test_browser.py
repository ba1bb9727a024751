"""The app in headless Chromium, as a learner uses it: load, deep links, play, change a weight."""

import re

import pytest

from tests.browser import wait_idle

EXCEPTION = "[data-testid='stException']"


def diagram_day(page, company="Blue company"):
    """The day whose equation the unrolled diagram shows right now, read from the drawn SVG."""
    text = page.locator("[data-testid='stPlotlyChart']").first.inner_text()
    return int(re.search(rf"{company}, day (\d+)", text).group(1))


def test_the_app_loads_with_both_charts_and_no_exception(page, app_server):
    page.goto(app_server)
    wait_idle(page)
    assert page.locator(".js-plotly-plot").count() == 2
    assert page.locator(EXCEPTION).count() == 0
    assert diagram_day(page) == 9
    assert page.get_by_text("predicts 1.355 for day 10").count() == 1


def play(page, ws_recorder):
    """Press the diagram's slow play; returns the day shown mid-way, the day it ends on, and the server traffic."""
    with ws_recorder.window() as traffic:
        page.locator("[data-testid='stPlotlyChart']").first.get_by_text("▶ Slow").click()
        page.wait_for_timeout(2500)
        playing = diagram_day(page)
        page.wait_for_timeout(12_000)
        ended = diagram_day(page)
    return playing, ended, traffic


def test_play_animates_in_the_browser_without_a_server_rerun(page, app_server, ws_recorder):
    page.goto(app_server)
    wait_idle(page)
    playing, ended, traffic = play(page, ws_recorder)
    assert 1 <= playing < 9 and ended == 9
    assert traffic.reruns == 0 and traffic.runs == 0
    assert page.locator(EXCEPTION).count() == 0


def test_changing_a_weight_redraws_with_the_new_numbers(page, app_server, ws_recorder):
    page.goto(app_server)
    wait_idle(page)
    box = page.get_by_label("w_h · feedback weight", exact=True).and_(page.locator("input[type='number']"))
    with ws_recorder.window() as traffic:
        box.fill("0.9")
        box.press("Enter")
        traffic.wait_runs(1)
    text = page.locator("[data-testid='stPlotlyChart']").first.inner_text()
    assert "×0.9" in text and "×(−0.5)" not in text
    assert "w_h=0.9" in page.url
    assert page.locator(EXCEPTION).count() == 0


def test_a_shared_link_opens_the_same_view(page, app_server):
    page.goto(f"{app_server}/?seq=red&w_h=0.9&act=tanh")
    wait_idle(page)
    assert diagram_day(page, "Red company") == 5
    assert "tanh(" in page.locator("[data-testid='stPlotlyChart']").first.inner_text()


def test_the_backward_pass_plays_in_the_browser_without_a_server_rerun(page, app_server, ws_recorder):
    page.goto(f"{app_server}/gradients?seq=blue")
    wait_idle(page)
    assert page.locator(".js-plotly-plot").count() == 2  # backward diagram, magnitudes (clipping is off)
    assert diagram_day(page) == 1
    playing, ended, traffic = play(page, ws_recorder)
    assert 1 < playing < 9 and ended == 1  # from day 9 back to day 1
    assert traffic.reruns == 0 and traffic.runs == 0
    assert page.locator(EXCEPTION).count() == 0


NAVIGATION = ["Unroll", "Gradients"]  # st.Page titles; legacy pages/ mode would list file names


def nav_titles(page):
    return [t.split()[-1] for t in page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()]


@pytest.mark.parametrize(
    ("path", "heading"), [("unroll", "Unroll an RNN"), ("gradients", "Backpropagation through time")]
)
def test_a_deep_link_as_a_fresh_servers_first_request_runs_through_the_entry_point(page, fresh_server, path, heading):
    page.goto(f"{fresh_server}/{path}?seq=blue")
    wait_idle(page)
    assert page.title().startswith("Unrolled")  # set by streamlit_app.py: the entry point ran
    assert nav_titles(page) == NAVIGATION
    assert page.get_by_role("heading", name=heading).count() == 1
    assert page.locator(EXCEPTION).count() == 0
