"""simulator.projector.readable: every text of a chart grows with presenter mode, legends and colour bars too."""

import json

import numpy as np
import plotly.graph_objects as go

from simulator import layer_figures, network, questions, state
from simulator.data import BLUE, RED, Row
from simulator.figures import FONT, PROJECTOR, figure
from simulator.models import rnn
from simulator.projector import readable
from simulator.unroll_figures import over_time

BIG = round(FONT["size"] * PROJECTOR)  # 13 px -> 18 px


def fonts(node, path=""):
    """(path, size) of every font in a figure's JSON."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if key.endswith("font") and isinstance(value, dict):
                found.append((here, value.get("size")))
            found += fonts(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += fonts(value, f"{path}[{i}]")
    return found


def rows():
    p = rnn.Params.scalar(1.8, -0.5, 0.0, 1.1, 0.0, "relu")
    return [Row(c.label, c.color, rnn.forward(p, np.array(c.xs))) for c in (BLUE, RED)]


def test_the_legend_ticks_and_notes_grow_with_the_text_and_the_figure_stays_as_it_was():
    fig = over_time(rows(), 3)
    before = json.dumps(fig.to_dict(), sort_keys=True)
    big = readable(fig).to_dict()
    assert json.dumps(fig.to_dict(), sort_keys=True) == before  # pure: a new figure
    layout = big["layout"]
    assert layout["legend"]["font"]["size"] == BIG  # not Streamlit's 12 px
    assert layout["xaxis"]["tickfont"]["size"] == layout["yaxis"]["tickfont"]["size"] == BIG
    assert all(note["font"]["size"] == BIG for note in layout["annotations"])
    assert layout["height"] == round(fig.to_dict()["layout"]["height"] * PROJECTOR)
    assert all(size >= BIG for _, size in fonts(big["layout"]))
    go.Figure(big)  # still a valid figure


def test_a_colour_bar_and_a_bars_text_grow_too():
    v = {s.name: s.default for s in state.SETTINGS.values()} | {"units": 4, "recipe": "orthogonal"}
    heat = readable(layer_figures.weights(network.params(v))).to_dict()
    trace = next(t for t in heat["data"] if t["type"] == "heatmap")
    assert trace["colorbar"]["tickfont"]["size"] == trace["colorbar"]["title"]["font"]["size"] == BIG
    q = questions.quiz(1)[0]
    tally = readable(questions.tally_figure(q, [], revealed=False)).to_dict()
    assert tally["data"][0]["textfont"]["size"] == BIG
    go.Figure(heat), go.Figure(tally)


def test_sizes_set_on_purpose_keep_their_proportion():
    fig = figure(
        [dict(type="scatter", x=[1], y=[1])], {"legend": {"font": {"size": 10}}, "font": {"size": 20}, "xaxis": {}}
    )
    big = readable(fig, k=2).to_dict()["layout"]
    assert big["legend"]["font"]["size"] == 20 and big["font"]["size"] == 40 and big["xaxis"]["tickfont"]["size"] == 40
