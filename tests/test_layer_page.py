"""The Layer page through AppTest, from the entry point, as a user drives it: its charts carry the core's numbers."""

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator import layer, network, spectra, state
from simulator.data import BLUE
from simulator.explain import fmt
from simulator.models import rnn
from simulator.presets import LAYER
from tests.apptest import charts, open_app
from tests.spec import array
from ui import layer_controls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PAGE = "pages/layer.py"
DEFAULTS = {s.name: s.default for s in state.SETTINGS.values()}
CHARTS = ("weights", "eigenvalues", "singular values", "gradient", "hidden state", "unit lines")


def app(**query):
    at = open_app(PAGE, **query)
    assert not at.exception
    return at


def figure(at, name):
    """The page's chart `name` (one of CHARTS; the hidden state's of the first sequence)."""
    return charts(at)[CHARTS.index(name)]


def words(at):
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("units", [2, 8, 64])
def test_the_page_shows_the_layer_of_n_units(units):
    at = app(units=str(units), recipe="radius", rho="1.1", act="tanh")
    v = {**DEFAULTS, "units": units, "recipe": "radius", "rho": 1.1, "act": "tanh"}
    p = network.params(v)
    np.testing.assert_array_equal(array(figure(at, "weights")["data"][0]["z"]), p.W_h)
    s = spectra.spectrum(p.W_h, "tanh")
    np.testing.assert_allclose(array(figure(at, "singular values")["data"][0]["y"]), s.singular)
    h = rnn.forward(p, BLUE.xs).h
    np.testing.assert_allclose(array(figure(at, "hidden state")["data"][0]["z"]), h.T)
    assert len(figure(at, "unit lines")["data"]) == min(units, 8)
    assert (len(at.dataframe) > 0) == (units <= 8)  # the table to edit, up to 8 units
    assert f"**ρ = {fmt(s.radius)}**" in words(at) and f"σ_max = {fmt(s.norm)}**" in words(at)
    for spec in charts(at):
        go.Figure(spec)


@pytest.mark.parametrize("recipe", spectra.RECIPES)
def test_every_recipe_draws_and_says_its_condition(recipe):
    at = app(units="4", recipe=recipe)
    _, s, readings = layer.build({**DEFAULTS, "units": 4, "recipe": recipe})
    assert layer.conditions(s, readings[0]) in words(at)
    assert len(charts(at)) == len(CHARTS) + 2  # the red company's hidden state in its own tab


def test_the_trap_doubles_and_needs_two_units():
    at = app(units="2", recipe="trap", seq="typed", typed="0*20")
    y = array(next(t for t in figure(at, "gradient")["data"] if t["name"].endswith("measured"))["y"])
    np.testing.assert_allclose(np.diff(y), np.log10(2), atol=1e-5)
    assert "The trap needs" not in words(at) and "brings its own h₀" in words(at)
    one = app(units="1", recipe="trap")
    assert "The trap needs 2 units or more" in words(one) and not one.error
    assert "the last unit sits out" in words(app(units="3", recipe="trap"))


def test_copies_of_one_unit_are_said_to_act_as_one_and_random_units_are_not():
    assert "All 4 units hold the same number on every day" in words(app(units="4"))
    assert "hold the same number" not in words(app(units="4", recipe="gain"))


def test_the_trap_button_sets_up_the_trap():
    at = app()
    next(b for b in at.button if "trap" in b.label).click().run()
    assert at.query_params["recipe"] == "trap" and at.query_params["units"] == "2"
    assert any("J² = 2J" in i.value for i in at.info)


@pytest.mark.parametrize("preset", LAYER, ids=[p.key for p in LAYER])
def test_each_scenario_tells_its_story_on_the_page(preset):
    at = app()
    at.selectbox(key="preset").set_value(preset.key).run()
    assert not at.exception
    assert at.info and layer.story(preset) in at.info[0].value


def test_a_linked_layer_is_shown_and_changing_a_setting_starts_from_the_recipe_again():
    text = "0.5,0.25,1,0,1;-0.25,0.5,1,0,1"
    at = app(units="2", recipe="identity", rho="0.9", layer=text)
    np.testing.assert_array_equal(array(figure(at, "weights")["data"][0]["z"]), [[0.5, 0.25], [-0.25, 0.5]])
    assert at.query_params["layer"] == text and "Edited by hand" in words(at)
    at.slider(key="rho").set_value(0.8).run()
    np.testing.assert_array_equal(array(figure(at, "weights")["data"][0]["z"]), 0.8 * np.eye(2))
    assert "layer" not in at.query_params
    back = app(units="2", recipe="identity", layer=text)
    next(b for b in back.button if "recipe's weights" in b.label).click().run()
    assert "layer" not in back.query_params


def test_a_table_edit_goes_into_the_link(monkeypatch):
    numbers = network.rows(network.params({**DEFAULTS, "units": 2}))
    kept = {}
    monkeypatch.setattr(layer_controls, "ss", {"t": {"edited_rows": {1: {"h1": 0.75, "w_y": None}}}})
    monkeypatch.setattr(layer_controls, "keep", kept.__setitem__)
    layer_controls._edited("t", numbers)
    edited = numbers.copy()
    edited[1, 0] = 0.75  # a cleared cell (None) keeps its number
    np.testing.assert_array_equal(network.parse_table(kept["layer"]), edited)


@pytest.mark.parametrize(
    ("query", "said"),
    [({"layer": "1,2,3"}, "layer=1,2,3"), ({"layer": "1,2,3,1e300"}, "between -100 and 100"),
     ({"units": "3", "layer": "1,2,3,4"}, "are for 1 units of the simple RNN; this is 3")],
)  # fmt: skip
def test_a_hostile_or_misfit_layer_gets_a_notice_and_the_recipe(query, said):
    at = app(**query)
    assert said in words(at)
    units = int(query.get("units", 1))
    p = network.params({**DEFAULTS, "units": units})
    np.testing.assert_array_equal(array(figure(at, "weights")["data"][0]["z"]), p.W_h)


def test_a_long_typed_sequence_reaches_back_a_thousand_days():
    at = app(units="64", recipe="orthogonal", rho="1", act="identity", seq="typed", typed="0.5*1000")
    y = array(next(t for t in figure(at, "gradient")["data"] if t["name"].endswith("measured"))["y"])
    assert y.size == 1001 and np.abs(y).max() < 1e-9  # an orthogonal linear layer keeps the norm
    assert len(charts(at)) == len(CHARTS)


def test_presenter_mode_and_the_scenarios_page_list_the_layer():
    at = app(present="on")
    assert charts(at)[0]["layout"]["font"]["size"] > 13
    gallery = open_app("pages/scenarios.py")
    assert not gallery.exception
    titles = " ".join(m.value for m in gallery.markdown)
    assert all(p.title in titles for p in LAYER)
