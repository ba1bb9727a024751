"""Every chart says what it shows (alt text) and has its numbers beside it; the palette survives colour blindness."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from simulator.data import BLUE, RED, TYPED_COLOR
from simulator.explain import fmt
from simulator.tables import MAX_ROWS, forward_table, markdown
from simulator.train_figures import WEIGHT_COLORS
from tests.apptest import open_app, tables

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PAGES = {"pages/unroll.py": {}, "pages/gradients.py": {"clip": "norm"}, "pages/train.py": {"epochs": "20"}}

# Machado, Oliveira & Fernandes (2009): deuteranopia and protanopia at full severity, on linear RGB.
DEUTERANOPIA = np.array(
    [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
)
PROTANOPIA = np.array(
    [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
)


def linear(hex_color):
    srgb = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def seen(hex_color, deficiency):
    """The colour as a viewer with `deficiency` sees it, in linear RGB."""
    return np.clip(deficiency @ linear(hex_color), 0, 1)


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_alt_text_and_a_table_of_its_numbers(page):
    at = open_app(page, **PAGES[page])
    charts = at.get("plotly_chart")
    diagrams = [
        json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == "unrolled.diagram"
    ]
    assert charts and all(len(c.proto.alt) > 40 for c in charts) and all(len(d["alt"]) > 40 for d in diagrams)
    assert len(diagrams) == (page != "pages/train.py")  # the unrolled diagram, forward or backward
    tables = [e for e in at.get("expander") if e.label == "The numbers in this chart"]
    assert len(tables) == len(charts) + len(diagrams)
    assert all(len(t.get("markdown")) == 1 and t.get("markdown")[0].value.startswith("| ") for t in tables)


def test_a_table_holds_the_cores_numbers_and_caps_long_sequences():
    from simulator.data import Row
    from simulator.models.rnn import Params
    from simulator.models.rnn import forward as run

    p = Params.scalar()
    table = forward_table([Row("Blue", "#000", run(p, np.array(BLUE.xs)))])
    assert table["day"] == [str(d) for d in range(1, 10)] and table["prediction y"][-1] == "1.36"
    long = forward_table([Row("Long", "#000", run(p, np.full(5000, 0.5)))])
    assert len(long["day"]) == MAX_ROWS and long["sequence"][-1] == "… 4,801 more rows"


def test_a_markdown_table_keeps_every_cell_and_escapes_markup():
    text = markdown({"sequence": ["a|b", "*x*"], "h": ["−0.5", "∞\n2"]})
    assert text.splitlines() == ["| sequence | h |", "|:--|--:|", "| a\\|b | −0.5 |", "| \\*x\\* | ∞ 2 |"]
    at = AppTest.from_string(f"import streamlit as st\nst.markdown({text!r})").run()
    assert tables(at) == [{"sequence": ("a|b", "*x*"), "h": ("−0.5", "∞ 2")}]


@pytest.mark.parametrize("deficiency", [DEUTERANOPIA, PROTANOPIA], ids=["deuteranopia", "protanopia"])
def test_the_companies_and_the_weights_stay_distinguishable_without_red_green_vision(deficiency):
    for palette in ([BLUE.color, RED.color, TYPED_COLOR], list(WEIGHT_COLORS)):
        colours = [seen(c, deficiency) for c in palette]
        distances = [np.linalg.norm(a - b) for i, a in enumerate(colours) for b in colours[i + 1 :]]
        assert min(distances) > 0.15, palette


def test_the_diagram_table_holds_every_unit_and_tile_of_any_cell():
    from simulator import network, state
    from simulator.data import Row

    v = {**{s.name: s.default for s in state.SETTINGS.values()}, "cell": "lstm", "units": 3}
    p = network.params(v)
    tr = network.forward(v, p, np.array(BLUE.xs))
    table = forward_table([Row("Blue", "#000", tr)])
    assert table["unit"][:4] == ["1", "2", "3", "1"] and table["day"][:4] == ["1", "1", "1", "2"]
    assert table["long-term memory C"][4] == fmt(tr.c[1, 1]) and table["forget gate"][-1] == fmt(tr.f[-1, 2])
    long = forward_table([Row("Long", "#000", network.forward(v, p, np.full(1000, 0.5)))])
    assert len(long["day"]) == MAX_ROWS and long["sequence"][-1] == f"… {3000 - MAX_ROWS + 1:,} more rows"
