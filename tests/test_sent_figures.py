"""Every figure a page sends passes plotly's full validation: the builders skip it at run time (see
`simulator.figures.Figure`), so here each scenario's charts, and each page's in presenter mode, are checked."""

import plotly.graph_objects as go
import pytest

from simulator import state
from simulator.presets import PRESETS
from tests.apptest import charts, open_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def assert_valid(at):
    assert not at.exception
    specs = charts(at)
    assert specs
    for spec in specs:
        go.Figure(spec)  # raises ValueError on any invalid property or value, frames included


@pytest.mark.parametrize("preset", PRESETS, ids=[p.key for p in PRESETS])
def test_every_scenarios_charts_are_valid_plotly(preset):
    assert_valid(open_app(state.PAGES[preset.page], **state.scenario_query(preset)))


@pytest.mark.parametrize("page", state.PAGES.values())
def test_presenter_modes_bigger_charts_are_valid_plotly(page):
    at = open_app(page, present="on", clip="norm", epochs="20")
    assert_valid(at)
    for spec in charts(at):
        axes = [v for k, v in spec["layout"].items() if k.startswith(("xaxis", "yaxis"))]
        assert spec["layout"]["font"]["size"] > 13 and all(axis["tickfont"]["size"] > 13 for axis in axes)
