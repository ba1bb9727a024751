"""f) The unrolled diagram in headless Chromium: from an arrow key to the next day on screen, beside the cheapest
Streamlit round trip (a button that redraws a tiny chart), side by side in one run. Goal: at most 0.5x the trip.

Both are timed inside the page, from the event to the animation frame after the change is in the DOM."""

import statistics
import tempfile
from pathlib import Path

from tests.browser import chromium_available, launch, start_server, stop_server, wait_idle

from .common import table, verdict

GOAL = 0.5  # the arrow key's time over the round trip's, at most
TINY = """import plotly.graph_objects as go
import streamlit as st

n = st.session_state.setdefault("n", 0)
if st.button("redraw"):
    st.session_state.n = n = n + 1
st.plotly_chart(go.Figure(go.Bar(y=[n, 1]), layout=dict(title=dict(text=f"n={n}"), height=200)), key="tiny")
"""
TIMED = """async ([act, done]) => {  // ms from act() to the frame after done() first holds
  const t0 = performance.now();
  eval(act);
  const check = new Function(`return (${done})`);
  while (!check()) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => requestAnimationFrame(() => r()));
  return performance.now() - t0;
}"""


def _arrow(page, repeats):
    """ms from an ArrowRight keydown to the next day drawn in the diagram, from day 1 on."""
    times = []
    for _ in range(repeats):
        day = int(page.locator(".ud-root").first.get_attribute("data-day"))
        act = "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}))"
        done = f"document.querySelector('.ud-root').dataset.day === '{day + 1}'"
        times.append(page.evaluate(TIMED, [act, done]))
        if day + 1 >= 9:
            page.locator(".ud-root [data-do=prev]").first.click()  # back near the start, off the clock
            for _ in range(7):
                page.locator(".ud-root [data-do=prev]").first.click()
        page.wait_for_timeout(900)  # the day it stopped on goes to the server meanwhile: let that settle
        wait_idle(page)
    return times


def _trip(page, repeats):
    """ms from a click on the tiny app's button to its redrawn chart."""
    times = []
    for _ in range(repeats):
        n = int(page.locator(".js-plotly-plot .gtitle").first.text_content().removeprefix("n="))
        act = "[...document.querySelectorAll('button')].find((b) => b.innerText.includes('redraw')).click()"
        done = f"(document.querySelector('.js-plotly-plot .gtitle') || {{}}).textContent === 'n={n + 1}'"
        times.append(page.evaluate(TIMED, [act, done]))
        page.wait_for_timeout(300)
    return times


def run(quick=False):
    if not chromium_available():
        print("skipped: no Chromium at /usr/bin/chromium")
        return 1
    from playwright.sync_api import sync_playwright

    repeats = 4 if quick else 10
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "streamlit_app.py").write_text(TINY)
        app, app_url = start_server()
        tiny, tiny_url = start_server(root=tmp)
        try:
            with sync_playwright() as pw:
                browser = launch(pw)
                unroll = browser.new_page(viewport={"width": 1400, "height": 1000})
                unroll.goto(f"{app_url}/?seq=blue&day=1")
                wait_idle(unroll)
                unroll.locator(".ud-root").first.wait_for()
                trip = browser.new_page(viewport={"width": 1400, "height": 1000})
                trip.goto(tiny_url)
                wait_idle(trip)
                arrows, trips = [], []
                for _ in range(repeats // 2):  # in turns, so that the machine's load falls on both alike
                    arrows += _arrow(unroll, 2)
                    trips += _trip(trip, 2)
                browser.close()
        finally:
            stop_server(app)
            stop_server(tiny)
    arrow, rt = statistics.median(arrows), statistics.median(trips)
    ratio = arrow / rt
    print(f"median of {len(arrows)} each, taken in turns")
    table(
        ["what", "ms", "vs round trip", "goal", "goal"],
        [
            ["→ key to the next day in the diagram", f"{arrow:.1f}", f"{ratio:.2f}x", f"<= {GOAL}x",
             verdict(ratio <= GOAL)],
            ["button to a redrawn tiny chart (round trip)", f"{rt:.1f}", "1.00x", "-", "-"],
        ],
    )  # fmt: skip
    return int(ratio > GOAL)


if __name__ == "__main__":
    run()
