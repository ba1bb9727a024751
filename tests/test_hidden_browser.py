"""In Chromium: on a phone (390 px) every row's label tells the diagram's rows apart; Ask first sends and shows no
hidden number, and R reveals on every page that asks."""

import pytest

from tests.browser import wait_idle

LABELS = """() => [...document.querySelectorAll('.ud-root .ud-seq')].map((seq) =>
    [...seq.querySelectorAll('.ud-label')].map((l) => l.innerText.trim()).filter(Boolean))"""


@pytest.mark.parametrize(
    ("path", "query"),
    [("gradients", "units=3&cell=lstm"), ("", "units=3&cell=lstm")],  # the LSTM's ∂L/∂h and ∂L/∂C rows, and its gates
    ids=["backward-lstm", "forward-lstm"],
)
def test_each_row_label_reads_apart_from_the_others_on_a_phone(chromium, app_server, path, query):
    context = chromium.new_context(viewport={"width": 390, "height": 900}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{app_server}/{path}?seq=blue&{query}")
        wait_idle(page)
        page.locator(".ud-root .ud-tile").first.wait_for()
        (labels,) = page.evaluate(LABELS)
    finally:
        context.close()
    assert len(labels) == len(set(labels)), labels  # no two rows read the same
    units = [label for label in labels if label.startswith(("∂L/∂h", "∂L/∂C", "short-term memory h"))]
    assert len(units) == (6 if "lstm" in query and path else 3), labels
    assert all(label[-1] in "123" for label in units), labels  # the unit's number shows: ∂L/∂h¹, ∂L/∂h²


def test_ask_first_day_with_no_numbers_sent_shows_its_price_and_nothing_else(page, app_server):
    page.goto(f"{app_server}/?ask=on&seq=blue&day=3")
    wait_idle(page)
    page.locator(".ud-root [data-tile='0:x:1:2']").click()  # the price of the day asked about
    eq = page.locator(".ud-root .ud-eq").first.inner_text()
    assert "x3 = 0.5, the day's price" in eq and "y3" not in eq and "∞" not in eq  # no prediction sent: no readout
    assert page.locator(".ud-root [data-tile='0:h:1:2'] b").inner_text() == "?"
    assert page.locator(".ud-root [data-tile='0:y:1:8'] b").inner_text() == "?"


def test_r_reveals_the_gradients_question_too(page, app_server):
    page.goto(f"{app_server}/gradients?ask=on&seq=blue")
    wait_idle(page)
    page.locator(".ud-root .ud-tile").first.wait_for()
    assert "the gradients wait for the reveal" in page.locator(".ud-root").inner_text()
    page.locator("body").press("r")
    page.locator("[data-testid='stAlertContentSuccess']").wait_for()
    wait_idle(page)
    assert "the gradients wait" not in page.locator(".ud-root").inner_text()


def test_r_reveals_the_training_question_and_q_turns_ask_first_off(page, app_server):
    page.goto(f"{app_server}/train?ask=on")
    wait_idle(page)
    page.get_by_text("Until then the run's headline").wait_for()
    assert page.locator("[data-testid='stPlotlyChart']").count() == 0  # the run's chart waits
    page.locator("body").press("r")
    page.locator("[data-testid='stAlertContentSuccess']").wait_for()
    wait_idle(page)
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    page.locator("body").press("q")
    page.get_by_text("Ask first.").wait_for(state="detached")


def test_a_touch_screen_is_not_told_about_keys(chromium, app_server):
    context = chromium.new_context(viewport={"width": 390, "height": 900}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(app_server)
        intro = page.get_by_text("tap a tile").first
        intro.wait_for()
        hidden = "() => [...document.querySelectorAll('.keys-hint')].every(k => getComputedStyle(k).display == 'none')"
        page.wait_for_function(hidden)  # the page's CSS may land a moment after the text
        assert "Press ▶ Play, or step with ◀ ▶; click or tap a tile" in intro.inner_text()
    finally:
        context.close()
