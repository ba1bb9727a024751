"""High contrast for projectors: `simulator.projector.dark` over every chart of real pages (WCAG 2 contrast ratios),
the setting in the link and its toggles (AppTest), and the dark page and diagram in Chromium."""

import json

import plotly.graph_objects as go
import pytest

from simulator.projector import BACKGROUND, LINE_RATIO, TEXT_RATIO, contrast, dark, on_dark, rgba
from simulator.unroll_figures import over_time
from tests.apptest import charts, open_app
from tests.browser import wait_idle
from tests.test_projector import rows

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")


def colours(node, text=False, path=""):
    """(path, colour, is text) of every colour a figure's JSON names but its backgrounds and area fills."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if key.endswith("color") and not key.endswith(("bgcolor", "fillcolor")):
                values = value if isinstance(value, list) else [value]
                found += [(here, v, text) for v in values if isinstance(v, str) and rgba(v)]
            else:
                found += colours(value, text or key.endswith("font"), here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += colours(value, text, f"{path}[{i}]")
    return found


def assert_readable(spec):
    layout = spec["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == BACKGROUND
    assert layout["font"]["color"] == layout["legend"]["font"]["color"] == "#ffffff"
    for name in ("xaxis", "yaxis"):
        assert contrast(layout[name]["tickfont"]["color"]) >= TEXT_RATIO
        assert contrast(layout[name]["gridcolor"]) >= LINE_RATIO
    found = colours(spec)
    assert any(is_text for *_, is_text in found) and any(not is_text for *_, is_text in found)
    for path, colour, is_text in found:
        assert contrast(colour) >= (TEXT_RATIO if is_text else LINE_RATIO), (path, colour)


def test_the_wcag_ratio_is_the_standards():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's own example: just under 4.5
    assert contrast("rgba(255,255,255,0)") == pytest.approx(1)  # transparent: the background itself


def test_okabe_ito_stays_itself_on_dark_only_as_light_as_it_must():
    lines = [on_dark(c) for c in OKABE_ITO]
    assert lines[:7] == [c.lower() for c in OKABE_ITO[:7]]  # every hue but black is a line on dark as it is
    assert lines[7] == "#ffffff"  # black turns white
    texts = [on_dark(c, TEXT_RATIO) for c in OKABE_ITO]
    assert all(contrast(c) >= TEXT_RATIO for c in texts) and len(set(texts)) == len(texts)
    assert texts[4] != "#0072b2" and rgba(texts[4])[2] > rgba(texts[4])[0]  # blue text lightened, still blue


def test_dark_is_pure_and_every_colour_of_a_figure_reads_on_it():
    fig = over_time(rows(), 3)
    before = json.dumps(fig.to_dict(), sort_keys=True)
    spec = dark(fig).to_dict()
    assert json.dumps(fig.to_dict(), sort_keys=True) == before
    assert_readable(spec)
    go.Figure(spec)  # still a valid figure


@pytest.mark.parametrize("page", ["pages/gradients.py", "pages/layer.py"])
def test_every_chart_of_a_page_is_dark_and_readable_and_the_setting_is_in_the_link(page):
    at = open_app(page, contrast="on", present="on")
    assert not at.exception and at.query_params["contrast"] == "on"
    figures = charts(at)
    assert len(figures) >= 2
    for spec in figures:
        assert_readable(spec)
    assert any(".stApp" in h.proto.body and "#0e1117" in h.proto.body for h in at.get("html"))


def test_the_toggle_turns_it_on_and_off_and_the_presenter_bar_has_it():
    at = open_app("pages/gradients.py")
    assert charts(at)[0]["layout"]["paper_bgcolor"] == "white"
    at.toggle(key="contrast·toggle").set_value(True).run()
    assert at.query_params["contrast"] == "on" and charts(at)[0]["layout"]["paper_bgcolor"] == BACKGROUND
    at.toggle(key="present·toggle").set_value(True).run()
    assert not any(t.key == "contrast·toggle" for t in at.toggle)  # presenting, the bar holds it
    at.toggle(key="contrast·toggle·bar").set_value(False).run()
    assert at.query_params.get("contrast", "off") == "off" and charts(at)[0]["layout"]["paper_bgcolor"] == "white"


PAINT = """() => {
      const css = (el, p) => getComputedStyle(el)[p];
      const root = document.querySelector(".ud-root");
      return {app: css(document.querySelector(".stApp"), "backgroundColor"),
              text: css(document.querySelector("[data-testid='stMarkdownContainer'] p"), "color"),
              root: css(root, "backgroundColor"), rootText: css(root, "color"),
              dark: root.classList.contains("ud-contrast"),
              link: css(root.querySelector(".ud-link"), "color"), label: css(root.querySelector(".ud-label"), "color"),
              tiles: [...root.querySelectorAll(".ud-tile:not(.ud-unknown)")].map((t) =>
                [css(t, "backgroundColor"), css(t.querySelector("b"), "color"),
                 css(t.querySelector(".ud-sym"), "color")])};
    }"""


def painted(page, url):
    page.goto(url)
    wait_idle(page)
    page.locator(".ud-root .ud-tile").first.wait_for()
    return page.evaluate(PAINT)


def test_in_chromium_the_page_is_dark_and_the_diagram_reads_on_it_also_when_the_browser_prefers_dark(
    page, chromium, app_server
):
    paint = painted(page, f"{app_server}/?contrast=on&seq=blue")
    assert paint["dark"]
    assert paint["app"] == paint["root"] == "rgb(14, 17, 23)"
    for name in ("text", "rootText", "link", "label"):
        assert contrast(paint[name]) >= TEXT_RATIO, (name, paint[name])
    assert len({back for back, *_ in paint["tiles"]}) > 5  # the tiles keep their colour scale
    for back, value, symbol in paint["tiles"]:
        assert contrast(value, back) >= TEXT_RATIO and contrast(symbol, back) >= TEXT_RATIO, (back, value, symbol)
    prefers_dark = chromium.new_page(color_scheme="dark")
    try:
        assert painted(prefers_dark, f"{app_server}/?seq=blue")["app"] == "rgb(14, 17, 23)"  # auto: as it prefers
        light = painted(prefers_dark, f"{app_server}/?seq=blue&contrast=off")  # the toggle turned off: light
        assert light["app"] == "rgb(255, 255, 255)" and not light["dark"]
    finally:
        prefers_dark.close()


def test_presenting_or_in_high_contrast_every_line_is_at_least_the_projectors_width():
    from simulator import race
    from simulator.projector import LINE_WIDTH, readable
    from simulator.race_figures import errors

    for fig in (over_time(rows(), 3), errors(race.lap(race.start(10, 0), 10, 0))):
        thin = fig.to_dict()
        assert any(s["line"]["width"] < LINE_WIDTH for s in thin["layout"].get("shapes", ())) or any(
            t.get("line", {}).get("width", 2) < LINE_WIDTH for t in thin["data"]
        )  # the light figure has thin lines: the test can fail
        for shown in (dark(fig).to_dict(), readable(fig).to_dict()):
            lines = [t for t in shown["data"] if "lines" in t.get("mode", "lines")]
            assert lines and all(t["line"]["width"] >= LINE_WIDTH for t in lines)
            assert all(s["line"]["width"] >= LINE_WIDTH for s in shown["layout"].get("shapes", ()))
        assert_readable(dark(fig).to_dict())  # still every colour at its ratio
