"""The app in headless Chromium, as a learner uses it: load, deep links, play, change a weight."""

import re
from pathlib import Path

import pytest

from simulator import network, state
from simulator.data import BLUE, Row
from simulator.explain import fmt
from simulator.gradients import backprop
from simulator.upload import read_weights
from tests.browser import wait_idle

EXCEPTION = "[data-testid='stException']"


DIAGRAM = ".ud-root"  # the unrolled diagram component (ui/diagram/diagram.js), forward or backward


def diagram_day(page, company="Blue company"):
    """The day whose equation the unrolled diagram shows right now, read from the drawn page."""
    text = page.locator(DIAGRAM).first.inner_text()
    return int(re.search(rf"{company}, day (\d+)", text).group(1))


def test_the_app_loads_with_both_charts_and_no_exception(page, app_server):
    page.goto(app_server)
    wait_idle(page)
    page.locator(f".st-key-unrolled {DIAGRAM}").wait_for()
    assert page.locator(".js-plotly-plot").count() == 1  # over time; the diagram is the component
    assert page.locator(EXCEPTION).count() == 0
    assert diagram_day(page) == 9
    assert page.get_by_text("predicts 1.36 for day 10").count() == 1


def play(page, ws_recorder, end, button=None, shown=diagram_day, mid_ms=2500, end_ms=40_000):
    """Press `button` (a locator; the diagram's ▶ Play by default); returns what `shown(page)` reads mid-way and once
    it reaches `end` (or after `end_ms`: a busy machine plays slower), and the server traffic meanwhile."""
    with ws_recorder.window() as traffic:
        (button or page.locator(f"{DIAGRAM} [data-do=play]")).first.click()
        page.wait_for_timeout(mid_ms)
        playing = ended = shown(page)
        for _ in range(end_ms // 500):
            if ended == end:
                break
            page.wait_for_timeout(500)
            ended = shown(page)
    return playing, ended, traffic


def test_play_animates_in_the_browser_without_a_server_rerun(page, app_server, ws_recorder):
    page.goto(app_server)
    wait_idle(page)
    with ws_recorder.window() as traffic:
        playing, ended, _ = play(page, ws_recorder, 9)
        played = traffic.sent.copy()
    assert 1 <= playing < 9 and ended == 9
    assert played == []  # not one message to the server while it played
    assert page.locator(EXCEPTION).count() == 0


def test_changing_a_weight_redraws_with_the_new_numbers(page, app_server, ws_recorder):
    page.goto(app_server)
    wait_idle(page)
    box = page.get_by_label("w_h · feedback weight", exact=True).and_(page.locator("input[type='number']"))
    with ws_recorder.window() as traffic:
        box.fill("0.9")
        box.press("Enter")
        traffic.wait_runs(1)
    page.locator(DIAGRAM).get_by_text("×0.9").first.wait_for()
    text = page.locator(DIAGRAM).inner_text()
    assert "×0.9" in text and "×(−0.5)" not in text
    assert "w_h=0.9" in page.url
    assert page.locator(EXCEPTION).count() == 0


def test_a_shared_link_opens_the_same_view(page, app_server):
    page.goto(f"{app_server}/?seq=red&w_h=0.9&act=tanh")
    wait_idle(page)
    assert diagram_day(page, "Red company") == 5
    assert "tanh(" in page.locator(DIAGRAM).inner_text()


def test_the_backward_pass_plays_in_the_browser_without_a_server_rerun(page, app_server, ws_recorder):
    page.goto(f"{app_server}/gradients?seq=blue")
    wait_idle(page)
    page.locator(f".st-key-backward {DIAGRAM}").wait_for()
    assert page.locator(".js-plotly-plot").count() == 1  # magnitudes (clipping is off); the diagram is the component
    assert diagram_day(page) == 1
    with ws_recorder.window() as traffic:
        playing, ended, _ = play(page, ws_recorder, 1)
        played = traffic.sent.copy()
    assert 1 < playing < 9 and ended == 1  # from day 9 back to day 1
    assert played == []
    assert page.locator(EXCEPTION).count() == 0


# st.Page titles, not legacy file names
NAVIGATION = ["Unroll", "Gradients", "Layer", "Train", "Race", "Why LSTM", "Scenarios", "Quiz", "Class", "Glossary"]


def nav_titles(page):
    return [t.split(maxsplit=1)[-1] for t in page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()]


@pytest.mark.parametrize(
    ("path", "heading"),
    [("unroll", "Unroll an RNN"), ("gradients", "Backpropagation through time"), ("train", "Train it")],
)
def test_a_deep_link_as_a_fresh_servers_first_request_runs_through_the_entry_point(page, fresh_server, path, heading):
    page.goto(f"{fresh_server}/{path}?seq=blue")
    # The guard's first run stops before drawing and goes idle for a moment; wait for the run it asks for.
    page.get_by_role("heading", name=heading).wait_for(timeout=30_000)
    wait_idle(page)
    assert page.title().startswith("Unrolled")  # set by streamlit_app.py: the entry point ran
    assert nav_titles(page) == NAVIGATION
    assert page.get_by_role("heading", name=heading).count() == 1
    assert page.locator(EXCEPTION).count() == 0


def shown_epoch(page):
    """The epoch the training figure shows right now, read from its slider's label."""
    text = page.locator("[data-testid='stPlotlyChart']").first.inner_text()
    return int(re.search(r"showing epoch (\d+)", text).group(1))


def test_training_replays_in_the_browser_without_a_server_rerun(page, app_server, ws_recorder):
    page.goto(f"{app_server}/train?epochs=100")
    wait_idle(page)
    assert page.get_by_text("In 100 epochs the loss fell").count() == 1
    assert shown_epoch(page) == 100
    fast = page.locator("[data-testid='stPlotlyChart']").first.get_by_text("▶▶ Fast")
    playing, ended, traffic = play(page, ws_recorder, 100, fast, shown_epoch, 1500)
    assert 0 <= playing < 100 and ended == 100
    assert traffic.reruns == 0 and traffic.runs == 0
    assert page.locator(EXCEPTION).count() == 0


def test_an_uploaded_csv_trains_and_a_bad_one_is_refused(page, app_server, tmp_path):
    good, bad = tmp_path / "shop.csv", tmp_path / "junk.csv"
    good.write_text("date,close\n2024-01-01,10\n2024-01-02,12\n2024-01-03,11\n2024-01-04,15\n")
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    page.goto(f"{app_server}/train?data=upload")
    wait_idle(page)
    assert page.get_by_text("Upload a CSV file in the sidebar").count() == 1
    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']").first
    uploader.set_input_files(str(good))
    wait_idle(page)
    page.wait_for_selector("[data-testid='stPlotlyChart']")
    assert "shop.csv: close" in page.locator("[data-testid='stPlotlyChart']").first.inner_text()
    uploader.set_input_files(str(bad))
    wait_idle(page)
    page.get_by_text("This looks like a binary file").wait_for()  # one rerun after the upload lands
    assert page.get_by_text("This looks like a binary file").count() == 1
    assert "shop.csv: close" in page.locator("[data-testid='stPlotlyChart']").first.inner_text()
    assert page.locator(EXCEPTION).count() == 0


def test_trained_weights_download_and_open_on_the_unroll_page(page, app_server):
    page.goto(f"{app_server}/train?data=red&epochs=20")
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download (JSON)").click()
    saved = read_weights(Path(download.value.path()).read_bytes())
    trained = page.locator("table").filter(has_text="trained").inner_text()
    assert saved["activation"] == "relu" and f"{saved['w_x']:.4g}" in trained
    page.get_by_role("button", name="Show them on Unroll").click()
    page.wait_for_url(re.compile(r".*/unroll\?|.*/\?.*seq=typed"))
    wait_idle(page)
    assert page.get_by_role("heading", name="Unroll an RNN").count() == 1
    assert "seq=typed" in page.url and "w_x=" in page.url
    assert page.locator(EXCEPTION).count() == 0


def figure_data(page):
    """Every chart's data and annotations as plotly.js draws them, to compare two views number for number."""
    return page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => JSON.stringify({data: gd.data, "
        "notes: (gd.layout.annotations || []).map(a => a.text)}))"
    )


def drawn(page):
    """The plotly charts' data and the diagram's text, to compare two views number for number."""
    return figure_data(page), page_text(page)


def page_text(page):
    """Every tile's and equation's text in the diagram: the numbers it shows, whatever the screen's width."""
    page.locator(f"{DIAGRAM} .ud-tile").first.wait_for()
    return page.evaluate(f"() => [...document.querySelectorAll('{DIAGRAM} .ud-tile, {DIAGRAM} .ud-eq')]"
                         ".map((e) => e.innerText).join('|')")  # fmt: skip


def in_a_fresh_browser(chromium, url, read=figure_data):
    """Open `url` in a new browser context (a student's first visit) and return what `read(page)` reads there."""
    context = chromium.new_context()
    try:
        fresh = context.new_page()
        fresh.goto(url)
        wait_idle(fresh)
        return read(fresh)
    finally:
        context.close()


def test_a_copied_link_opens_the_same_figures_in_a_fresh_browser(page, chromium, app_server, ws_recorder):
    page.goto(f"{app_server}/gradients")
    wait_idle(page)
    box = page.get_by_label("w_h · feedback weight", exact=True).and_(page.locator("input[type='number']"))
    box.fill("1.2")
    box.press("Enter")
    wait_idle(page)
    page.locator(DIAGRAM).get_by_text("×1.2").first.wait_for()
    with ws_recorder.window() as traffic:
        page.locator(f"{DIAGRAM} [data-do=next]").click()  # one column on: stepped in the browser, then told the server
        traffic.wait_runs(1)
    page.get_by_text("Share this view").click()
    link = page.locator("[data-testid='stCode'] code").inner_text().strip()
    assert link.startswith(f"{app_server}/gradients?") and "w_h=1.2" in link and "back=2" in link
    page.mouse.move(0, 0)  # no hover over the box: its copy button shows anyway
    copy = page.locator("[data-testid='stCode'] button").first
    assert copy.is_visible() and copy.evaluate("b => getComputedStyle(b).opacity") == "1"
    original = drawn(page)
    assert in_a_fresh_browser(chromium, link, drawn) == original and len(original[0]) == 2  # magnitudes, profiles


def test_presenter_mode_hides_the_controls(page, app_server):
    page.goto(f"{app_server}/?present=on")
    wait_idle(page)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert page.locator(f"{DIAGRAM} [data-do=next]").is_visible()  # the day still steps (and the arrow keys)
    big, small = (page.evaluate(f"() => parseFloat(getComputedStyle(document.querySelector('{DIAGRAM}')).fontSize)"),
                  14)  # fmt: skip
    assert big > 1.3 * small  # presenter mode: the diagram's text bigger
    page.get_by_text("Presenter mode").click()
    page.wait_for_selector("[data-testid='stSidebar']", state="visible")
    wait_idle(page)
    assert "present" not in page.url


SHOTS = Path(__file__).parent / "screenshots"  # git-ignored: for a person to look at


@pytest.mark.parametrize("width", [1400, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", ["", "gradients", "train", "scenarios", "glossary"])
def test_every_page_draws_every_chart_and_a_phone_never_scrolls_sideways(chromium, app_server, path, width):
    context = chromium.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page = context.new_page()
    page.goto(f"{app_server}/{path}")
    wait_idle(page)
    charts = page.locator("[data-testid='stPlotlyChart']").count()
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}")
    for expander in page.get_by_text("The numbers in this chart").all():
        expander.click()
    page.wait_for_function(f"document.querySelectorAll('table').length >= {charts if path != 'train' else 2}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    tables = page.evaluate("() => [...document.querySelectorAll('table')].map(t => [t.clientWidth, t.scrollWidth, "
                           "getComputedStyle(t).overflowX])")  # fmt: skip
    assert all(shown <= width and (full <= shown or scroll == "auto") for shown, full, scroll in tables), tables
    if width > 500:  # every sidebar control whole, none cut off at the sidebar's edge (the phone's sidebar is shut)
        cut = page.evaluate("""() => { const side = document.querySelector("[data-testid='stSidebarContent']");
            const edge = side.getBoundingClientRect().right;
            return [...side.querySelectorAll("button, input[type=number], input[type=text]")]
                .filter((e) => e.getBoundingClientRect().right > edge)
                .map((e) => e.textContent || e.getAttribute("aria-label")); }""")
        assert cut == [], cut
    assert page.locator(EXCEPTION).count() == 0
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{path or 'unroll'}-{'phone' if width < 500 else 'desktop'}.png", full_page=True)
    context.close()


IN_VIEW = """() => {  // the diagram's scroll, and its day column, equation and play button each inside the screen?
    const box = document.querySelector(".st-key-unrolled .ud-scroll"), width = window.innerWidth;
    if (!box || !box.querySelector(".ud-head.ud-now")) return [null, false];
    const inside = (e) => { const b = e.getBoundingClientRect(); return b.left >= 0 && b.right <= width + 1; };
    const r = box.getBoundingClientRect();
    const now = box.querySelector(".ud-head.ud-now").getBoundingClientRect();
    return [box.scrollLeft, now.left >= r.left - 1 && now.right <= r.right + 1,  // a pixel's rounding
            inside(document.querySelector(".st-key-unrolled .ud-eq")),
            inside(document.querySelector(".st-key-unrolled [data-do=play]")),
            inside(document.querySelector(".st-key-unrolled .ud-scrub")),
            getComputedStyle(box.querySelector(".ud-hint")).display !== "none"];
}"""


UNCUT = """() => [...document.querySelectorAll(".st-key-unrolled .ud-scroll")].every((box) => {
    // no tile or link straddles the sticky row labels' edge: a link's "×(−0.5)" cut there showed as a stray "5)"
    const edge = box.querySelector(".ud-label").getBoundingClientRect().right;
    return [...box.querySelectorAll(".ud-grid > :not(.ud-label)")].every((e) => {
        const b = e.getBoundingClientRect();
        return b.right <= edge + 1 || b.left >= edge - 1;
    });
})"""


def test_on_a_phone_the_diagram_pans_and_keeps_the_day_its_equation_and_the_controls_in_view(chromium, app_server):
    context = chromium.new_context(viewport={"width": 390, "height": 900}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{app_server}/?seq=blue&act=tanh")  # tanh: the longest equations
    wait_idle(page)
    page.wait_for_function(f"({IN_VIEW})()[1]")  # day 9, at the diagram's right end
    scrolled, *shown = page.evaluate(IN_VIEW)
    assert scrolled > 100 and shown == [True, True, True, True, True]  # the last: "swipe ... for more days"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # the diagram pans, not the page
    assert page.evaluate(UNCUT)
    page.locator(f"{DIAGRAM} [data-do=play]").first.click()
    page.wait_for_function(f"({IN_VIEW})()[0] < 50")  # playing from day 1: the box follows back to the start
    assert page.evaluate(IN_VIEW)[1:] == [True, True, True, True, True]
    context.close()


def test_a_scenario_card_opens_its_whole_setup(page, app_server):
    page.goto(f"{app_server}/scenarios")
    wait_idle(page)
    page.locator("a[href*='scenario=seed-1.1']").click()
    page.wait_for_url(re.compile(r".*/gradients\?.*scenario=seed-1.1"))
    wait_idle(page)
    assert page.get_by_text("reproduces 1.1¹⁰⁰⁰ = 2.470e41").count() == 1
    assert "w_h=1.1" in page.url and page.locator(EXCEPTION).count() == 0


def test_the_keyboard_plays_pauses_and_steps_in_the_browser_and_the_link_keeps_the_day(page, app_server, ws_recorder):
    page.goto(f"{app_server}/?day=1")
    wait_idle(page)
    page.locator(DIAGRAM).first.wait_for()
    assert diagram_day(page) == 1
    with ws_recorder.window() as playing:
        page.locator("body").press("p")
        page.wait_for_timeout(2500)
    with ws_recorder.window() as pausing:
        page.locator("body").press("p")
        paused = diagram_day(page)
        pausing.wait_runs(1)  # the day it stopped on goes into the link
        page.wait_for_timeout(1000)
    assert playing.sent == [] and pausing.runs == 1
    assert 1 < paused < 9 and diagram_day(page) == paused and f"day={paused}" in page.url
    with ws_recorder.window() as stepping:
        page.locator("body").press("ArrowRight")
        stepped, sent = diagram_day(page), stepping.sent.copy()  # on screen before the server hears of it
        stepping.wait_runs(1)
    assert stepped == paused + 1 and sent == [] and f"day={paused + 1}" in page.url
    page.locator("body").press("ArrowLeft")
    assert diagram_day(page) == paused


def scrub_to(page, day):
    """Drag the diagram's scrubber to `day`, as a user does."""
    page.locator(f"{DIAGRAM} .ud-scrub").first.evaluate(
        "(el, day) => { el.value = day; el.dispatchEvent(new Event('input', {bubbles: true})); }", day
    )


def test_the_link_keeps_the_day_a_user_scrubs_the_diagram_to(page, chromium, app_server, ws_recorder):
    page.goto(f"{app_server}/?seq=blue&w_h=0.9")
    wait_idle(page)
    page.locator(DIAGRAM).get_by_text("×0.9").first.wait_for()
    page.evaluate(f"() => {{ document.querySelector('{DIAGRAM}').dataset.marked = 'yes'; }}")
    with ws_recorder.window() as traffic:
        scrub_to(page, 3)
        assert diagram_day(page) == 3  # at once, in the browser
        traffic.wait_runs(1)
        page.wait_for_timeout(500)
    assert diagram_day(page) == 3 and "day=3" in page.url and "w_h=0.9" in page.url
    assert page.evaluate(f"() => document.querySelector('{DIAGRAM}').dataset.marked") == "yes"  # not drawn anew
    opened = in_a_fresh_browser(chromium, page.url, lambda fresh: page_text(fresh))
    assert (
        opened == page_text(page) and "Blue company, day 3" in opened and "?" in opened
    )  # days 4 to 9 not computed yet


def test_overflow_shows_as_infinity_on_its_tile(page, app_server):
    page.goto(f"{app_server}/?seq=typed&typed=1*700&w_h=3&act=identity&day=700")
    wait_idle(page)
    tile = page.locator(f"{DIAGRAM} .ud-tile.ud-overflow").first
    tile.wait_for()
    assert tile.inner_text().split()[-1] in ("∞", "NaN") and "ud-overflow" in tile.get_attribute("class")
    assert page.locator(EXCEPTION).count() == 0


def test_a_tile_opens_its_equation_with_the_real_numbers_for_the_lstm(page, app_server):
    page.goto(f"{app_server}/?cell=lstm&seq=blue&day=4")
    wait_idle(page)
    diagram = page.locator(DIAGRAM).first
    diagram.get_by_role("button", name=re.compile(r"^f4 = ")).click()  # the forget gate of day 4
    equation = diagram.locator(".ud-eq").first.inner_text()
    assert "forget gate: % of long-term memory to remember" in equation
    assert "σ(1.63×0.25 + 2.7×" in equation  # StatQuest's sigmoid(2.70 h + 1.63 x + 1.62) with day 4's price
    page.keyboard.press("Shift+Tab")  # the tile before it, by keyboard: the forget gate of day 3
    page.keyboard.press("Enter")
    assert "Blue company, day 3" in diagram.locator(".ud-eq").first.inner_text()
    diagram.get_by_role("button", name=re.compile(r"^f6 = ")).click()  # not computed yet on day 4
    assert "day 6 is not computed yet" in diagram.locator(".ud-eq").first.inner_text()


def test_many_units_draw_a_strip_of_cells_a_day_with_the_value_on_hover(page, app_server):
    page.goto(f"{app_server}/?units=32&recipe=orthogonal&rho=1&seq=blue")
    wait_idle(page)
    cells = page.locator(f"{DIAGRAM} .ud-strip").first.locator(".ud-cell")
    cells.first.wait_for()  # the component mounts after the page's charts
    assert cells.count() == 32
    assert re.fullmatch(r"h, day 1, unit 7 = \S+", cells.nth(6).get_attribute("title"))
    cells.nth(6).click()
    equation = page.locator(f"{DIAGRAM} .ud-eq").first.inner_text()
    assert "Blue company, day 1" in equation and "26 more terms" in equation  # unit 7's sum over the 32 units


def test_the_link_keeps_the_epoch_a_replay_is_paused_on(page, chromium, app_server, ws_recorder):
    page.goto(f"{app_server}/train?epochs=100")
    wait_idle(page)
    page.locator("[data-testid='stPlotlyChart']").first.get_by_text("▶ Slow").click()
    page.wait_for_timeout(2500)
    with ws_recorder.window() as traffic:
        page.locator("[data-testid='stPlotlyChart']").first.get_by_text("❚❚ Pause").click()
        traffic.wait_runs(1)
    paused = shown_epoch(page)
    assert 0 < paused < 100 and f"epoch={paused}" in page.url
    opened = in_a_fresh_browser(chromium, page.url, lambda fresh: (shown_epoch(fresh), figure_data(fresh)))
    assert opened == (paused, figure_data(page))


def test_the_diagram_writes_every_number_as_the_pages_do(chromium):
    """ui/diagram/diagram.js's fmt, run in Chromium, against simulator.explain.fmt: the one rule for numbers."""
    from simulator.explain import fmt

    values = [0, 0.45, -0.0122, 12.3, 473, 1234, 6.1e-3, 1.23e5, -1.4e-4, 9.996, 0.99949, 1e-300, -2.5e41, 1.8, 0.5,
              "inf", "-inf", "nan", 0.0064, 123456789, -0.5, 1 / 3, 0.5625, -0.5635, 2.125, 0.0375, 1.5e-5]  # fmt: skip
    source = (Path(__file__).parent.parent / "ui" / "diagram" / "diagram.js").read_text()
    context = chromium.new_context()
    try:
        written = context.new_page().evaluate(
            """async ([src, values]) => {
                const url = URL.createObjectURL(new Blob([src], {type: "text/javascript"}));
                const {fmt} = await import(url);
                return values.map((v) => fmt(v));
            }""",
            [source, values],
        )
    finally:
        context.close()
    assert written == [fmt(float(v)) for v in values]


def test_the_lstms_backward_tile_opens_its_cell_path_equation(page, app_server):
    """Gradients with the LSTM: a ∂L/∂C tile says how the cell path multiplies by f, with the numbers sent."""
    page.goto(f"{app_server}/gradients?cell=lstm&seq=blue")
    wait_idle(page)
    diagram = page.locator(DIAGRAM).first
    diagram.locator("[data-tile='0:dc:1:3']").click()  # the blue company's ∂L/∂C of day 4
    equation = diagram.locator(".ud-eq").first.inner_text()
    v = {**{s.name: s.default for s in state.SETTINGS.values()}, "cell": "lstm"}
    p = network.params(v)
    s = backprop(p, Row("Blue company", "#000", network.forward(v, p, BLUE.xs)), 1.0).flow
    f, dc_next, dc = s.forget[4, 0], s.cells[4, 0], s.cells[3, 0]
    assert f"{fmt(f)}×{fmt(dc_next).join('()') if dc_next < 0 else fmt(dc_next)}" in equation
    assert f"= {fmt(dc)}" in equation and f"forget gate f5 = {fmt(f)}" in equation
    assert page.locator(EXCEPTION).count() == 0
