"""The Layer page's numbers, sentences, figures and scenarios, without Streamlit."""

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator import layer, network, spectra, state
from simulator import layer_figures as figures
from simulator.data import Prices
from simulator.explain import fmt
from simulator.models import rnn
from simulator.presets import BY_KEY, LAYER
from simulator.stories import story
from tests.spec import array

DEFAULTS = {s.name: s.default for s in state.SETTINGS.values()}
LONG = {"seq": "typed", "typed": "0.5*60"}


def build(**settings):
    return layer.build({**DEFAULTS, **settings})


def reference(params, trace):
    """log10 |dL/dh_{T-k}| / |dL/dh_T| from the core's own backpropagation through time."""
    g = rnn.backward(params, trace, trace.y[-1] - 1.0)
    dh = np.vstack((g.dh0[None], g.dh))  # days 0 .. T
    return np.log10(np.linalg.norm(dh, axis=1) / np.linalg.norm(dh[-1]))[::-1]


@pytest.mark.parametrize(
    "settings",
    [{}, {"units": 8, "recipe": "orthogonal", "act": "tanh"}, {"units": 5, "recipe": "gain", "rho": 1.5,
     "act": "sigmoid"}, {"units": 16, "recipe": "radius", "act": "relu", **LONG}, {"units": 2, "recipe": "trap"}],
)  # fmt: skip
def test_the_gradient_each_day_back_is_the_cores_backpropagation(settings):
    p, _, readings = build(**settings)
    for r in readings:
        np.testing.assert_allclose(r.back, reference(p, r.trace), atol=1e-9)


def test_the_gradient_far_beyond_float64_is_still_a_number():
    _, _, (r,) = build(units=4, recipe="identity", rho=3.0, act="identity", seq="typed", typed="0*700")
    assert r.back[-1] == pytest.approx(700 * math.log10(3.0))  # 3^700 = 10^334, past float64's 1.8e308


def test_overflow_in_the_forward_pass_is_nan_not_a_number():
    _, s, (r,) = build(units=4, recipe="identity", rho=3.0, act="identity", seq="typed", typed="1*700")
    assert not np.isfinite(r.trace.z).all() and np.isnan(r.back[-1]) and r.back[0] == 0
    assert "the forward pass overflowed" in layer.conditions(s, r)
    spec = figures.gradient([r], s).to_dict()
    assert "overflowed" in spec["layout"]["annotations"][0]["text"]


def test_a_dead_unit_cuts_the_gradient_to_exactly_zero():
    v = {**DEFAULTS, "units": 2, "layer": "0.5,0,-1,0,1;0,0.5,-1,0,1", "act": "relu"}  # w_x < 0: never on
    p = network.params(v)
    r = layer.read(p, network.h0(v), Prices("Blue", "#0072B2", np.array([1.0, 1.0, 1.0])))
    assert r.back[0] == 0 and (r.back[1:] == -np.inf).all()
    assert "exactly 0 from 1 days back" in figures.gradient([r], spectra.spectrum(p.W_h)).to_dict()["layout"][
        "annotations"][0]["text"]  # fmt: skip


def drawn(spec, name):
    """(x, y) of the trace whose name starts with `name`."""
    trace = next(t for t in spec["data"] if t["name"].startswith(name))
    return array(trace["x"]).astype(float), array(trace["y"]).astype(float)


@pytest.mark.parametrize("recipe", spectra.RECIPES)
@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("units", [1, 3, 8])
def test_the_measured_curve_never_rises_above_the_drawn_bound(recipe, act, units):
    _, s, readings = build(units=units, recipe=recipe, act=act, rho=1.3, seed=units, **LONG)
    spec = figures.gradient(readings, s).to_dict()
    bx, by = drawn(spec, "bound")
    x, y = drawn(spec, f"{readings[0].label}: measured")
    assert x.size and np.array_equal(x, bx[: x.size])
    assert np.all(y <= by[: x.size] + 1e-9 * (1 + x)), (recipe, act, units)
    go.Figure(spec)


def test_the_bound_is_sigma_max_gamma_to_the_k():
    _, s, readings = build(units=3, recipe="gain", act="sigmoid", rho=2.0, **LONG)
    bx, by = drawn(figures.gradient(readings, s).to_dict(), "bound")
    np.testing.assert_allclose(by, bx * math.log10(np.linalg.norm(network.params({**DEFAULTS, "units": 3,
                               "recipe": "gain", "rho": 2.0, "act": "sigmoid"}).W_h, 2) * 0.25))  # fmt: skip


def test_a_bound_far_above_the_gradient_leaves_the_chart_and_says_so():
    _, s, readings = build(units=8, recipe="gain", rho=3.0, act="tanh", **LONG)
    spec = figures.gradient(readings, s).to_dict()
    top = spec["layout"]["yaxis"]["range"][1]
    bound = next(t for t in spec["data"] if t["name"].startswith("bound"))
    assert array(bound["customdata"])[-1] > top and "the bound leaves the chart" in spec["layout"]["annotations"][0][
        "text"]  # fmt: skip


def test_the_spectral_radius_sentence_follows_rho():
    below, at, above = (spectra.spectrum(spectra.recipe("orthogonal", 4, r, 1)) for r in (0.5, 1.0, 1.5))
    assert "**ρ = 0.5**" in layer.radius_sentence(below) and "shrink to 0" in layer.radius_sentence(below)
    assert "neither shrink nor grow" in layer.radius_sentence(at)
    assert "grow like 1.5ᵏ" in layer.radius_sentence(above)
    trap = spectra.spectrum(spectra.trap(2)[0].W_h)
    assert layer.radius(trap) == 0 and "**ρ = 0**" in layer.radius_sentence(trap)


def test_the_norm_sentence_says_the_most_one_day_can_multiply():
    s = spectra.spectrum(spectra.recipe("identity", 3, 1.6), "sigmoid")
    assert layer.norm_sentence(s).startswith("**‖W_h‖₂ = σ_max = 1.6**")
    assert "γ = 0.25 = 0.4" in layer.norm_sentence(s)
    assert "at most 2, whatever" in layer.norm_sentence(spectra.spectrum(2 * np.eye(2), "tanh"))


def test_pascanus_conditions_in_words_follow_the_numbers():
    _, s, readings = build(units=4, recipe="orthogonal", rho=0.8, act="tanh", **LONG)
    said = layer.conditions(s, readings[0])
    assert "0.8 < 1" in said and "**must vanish**" in said and fmt(0.8**60) in said
    _, s, readings = build(units=8, recipe="radius", rho=1.1, act="tanh", seq="typed", typed="0.5*100")
    said = layer.conditions(s, readings[0])
    assert "> 1" in said and "**may explode, but need not**" in said and "(it shrank all the same)" in said
    _, s, readings = build(units=2, recipe="trap")
    assert "(it grew)" in layer.conditions(s, readings[0]) and "512×" in layer.conditions(s, readings[0])  # 2^9
    _, s, readings = build(units=3, recipe="identity", rho=1.0, act="identity")
    assert "exactly 1/γ" in layer.conditions(s, readings[0])


def test_the_trap_needs_two_units_and_an_odd_one_sits_out():
    assert "needs 2 units" in layer.trap_note(1) and "n = 5" in layer.trap_note(5) and layer.trap_note(4) is None


def test_the_weights_heatmap_shows_every_weight_on_one_scale_around_zero():
    p = network.params({**DEFAULTS, "units": 3, "recipe": "gain", "seed": 2})
    spec = figures.weights(p).to_dict()
    matrix, vectors = spec["data"]
    np.testing.assert_array_equal(array(matrix["z"]), p.W_h)
    np.testing.assert_array_equal(array(vectors["z"]), np.column_stack((p.w_x, p.b, p.w_y)))
    top = max(np.abs(p.W_h).max(), np.abs(p.w_x).max(), np.abs(p.w_y).max())
    assert matrix["zmid"] == 0 and matrix["zmin"] == -top and vectors["zmax"] == top
    assert matrix["colorscale"][1] == [0.5, "#f7f7f7"]  # white at zero
    go.Figure(spec)


def test_the_spectrum_figures_draw_the_eigenvalues_singular_values_and_circles():
    s = spectra.spectrum(spectra.recipe("radius", 6, 0.9, 3), "sigmoid")
    plane = figures.eigenvalues(s).to_dict()
    points = next(t for t in plane["data"] if t["name"].startswith("eigenvalues"))
    np.testing.assert_array_equal(array(points["x"]) + 1j * array(points["y"]), s.eigenvalues)
    radii = {t["name"]: np.hypot(array(t["x"]), array(t["y"])).max() for t in plane["data"] if t["mode"] == "lines"}
    assert radii == pytest.approx({"unit circle": 1.0, "1/γ = 4": 4.0, f"σ_max = {s.norm:.3g}": s.norm})
    bars = figures.singular_values(s).to_dict()
    np.testing.assert_array_equal(array(bars["data"][0]["y"]), s.singular)
    assert bars["data"][1]["y"] == [4.0, 4.0]
    go.Figure(plane), go.Figure(bars)


def test_the_hidden_state_figures_show_every_unit_and_the_first_eight_as_lines():
    _, _, (r, _) = build(units=12, recipe="gain")
    tiles = figures.hidden_heatmap(r).to_dict()
    np.testing.assert_array_equal(array(tiles["data"][0]["z"]), r.trace.h.T)
    lines = figures.hidden_lines(r).to_dict()
    assert [t["name"] for t in lines["data"]] == [f"unit {i}" for i in range(1, 9)]
    np.testing.assert_array_equal(array(lines["data"][7]["y"]), r.trace.h[:, 7])
    assert "the first 8 of 12 units" in lines["layout"]["annotations"][0]["text"]
    go.Figure(tiles), go.Figure(lines)


def test_the_layer_as_a_table_round_trips_through_a_link():
    p = network.params({**DEFAULTS, "units": 3, "recipe": "orthogonal", "seed": 5})
    text = network.table(network.rows(p))
    values, notices = state.from_query({"layer": [text], "units": ["3"]})
    assert not notices
    edited = network.params({**DEFAULTS, "units": 3, "recipe": "identity", "layer": values["layer"]})
    for name in ("W_h", "w_x", "b", "w_y"):
        np.testing.assert_array_equal(getattr(edited, name), getattr(p, name))


@pytest.mark.parametrize(
    ("text", "words"),
    [("1,2,3", "needs 4 numbers"), ("1,2,3,x", "must be a number"), ("1,2,3,1e9", "between -100 and 100"),
     ("1,2,3,nan", "between"), (";".join(["1"] * 11) * 9, "at most 8 rows"), ("1,2,3,4;1,2,3,4", "needs 5")],
)  # fmt: skip
def test_a_hostile_layer_in_a_link_gets_a_notice_and_keeps_the_recipe(text, words):
    values, (notice,) = state.from_query({"layer": [text]})
    assert "layer" not in values and words in notice and "using ''" in notice


def test_edits_for_another_number_of_units_are_not_applied():
    v = {**DEFAULTS, "units": 2, "recipe": "identity", "rho": 0.5, "layer": "9,1,1,1"}
    assert np.array_equal(network.params(v).W_h, 0.5 * np.eye(2))


# The scenarios: each story's numbers, worked out here from the core


def scenario(key):
    p, s, readings = layer.build(layer.settings(BY_KEY[key]))
    return p, s, readings, story(BY_KEY[key])


def test_every_layer_scenario_is_told_and_its_link_is_valid():
    assert {p.key for p in LAYER} == set(layer.TELLERS)
    for preset in LAYER:
        assert preset.page == "layer" and story(preset)
        assert not state.from_query({k: [v] for k, v in state.scenario_query(preset).items()})[1]


def test_the_irnn_passes_the_gradient_back_unchanged_through_the_units_that_are_on():
    p, _, (r,), said = scenario("layer-irnn")
    on = p.w_x > 0  # x = 0.5 every day, W_h = I: a unit is on every day iff w_x > 0
    ratio = np.linalg.norm(p.w_y[on]) / np.linalg.norm(p.w_y)
    assert f"The {on.sum()} units that stay on" in said and f"the {(~on).sum()} whose w_x is negative" in said
    assert f"it is {fmt(ratio)}× day 100's" in said and "the same on every day from day 99 back" in said
    assert np.allclose(10 ** reference(p, r.trace)[1:], ratio)


def test_the_orthogonal_matrix_keeps_the_norm_and_tanh_does_not():
    p, s, (r,), said = scenario("layer-orthogonal")
    assert np.allclose(s.singular, 1.0) and "singular values are all 1" in said
    assert abs(reference(p, r.trace)[-1]) < 1e-12 and "after 100 days it is 1× day 100's" in said
    tanh = network.params({**layer.settings(BY_KEY["layer-orthogonal"]), "act": "tanh"})
    faded = 10 ** reference(tanh, rnn.forward(tanh, r.trace.xs))[-1]
    assert f"the same W_h leaves {fmt(faded)}" in said


@pytest.mark.parametrize(("key", "rho"), [("layer-rho-0.9", 0.9), ("layer-rho-1.1", 1.1)])
def test_rho_09_and_11_over_100_days(key, rho):
    p, s, (r,), said = scenario(key)
    assert s.radius == pytest.approx(rho) and r.days == 100
    measured = reference(p, r.trace)[-1]
    assert (measured < -4) if rho < 1 else (measured > 3)  # 7e-6 and 3.6e3
    assert "0.9¹⁰⁰ = 2.66e−5" in said if rho < 1 else "1.1¹⁰⁰ = 1.38e4" in said
    if rho > 1:
        assert "may explode, but need not" in said


def test_copies_of_statquests_unit_act_as_one_and_learn_as_one():
    p, _, readings, said = scenario("layer-copies")
    assert p.n == 4 and all(np.ptp(r.trace.h, axis=1).max() == 0 for r in readings)
    one = rnn.forward(rnn.Params.scalar(), readings[0].trace.xs)
    assert readings[0].trace.y[-1] == pytest.approx(one.y[-1]) and f"prediction is {fmt(one.y[-1])}" in said
    grads = rnn.backward(p, readings[0].trace, 1.0)
    assert np.ptp(grads.W_h) == 0 and "(they differ by 0)" in said and "largest gap between two units is 0" in said


def test_the_trap_doubles_every_day_back_with_rho_zero():
    p, s, (r,), said = scenario("layer-trap")
    assert layer.radius(s) == 0 and np.allclose(p.W_h @ p.W_h, 0) and s.norm == 16
    factors = 10 ** np.diff(reference(p, r.trace))
    assert np.allclose(factors, 2.0, rtol=1e-4) and r.days == 30
    assert "on 30 of the 30 days back the gradient doubles" in said and f"{fmt(2**30)}× day 30's" in said
