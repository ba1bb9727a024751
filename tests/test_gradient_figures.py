"""The Gradients page's figures plot log10 of the core's numbers, mark zeros and overflow, and stay small."""

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator.bptt import angle, clip, flow, log10_reach
from simulator.data import BLUE, RED, Row
from simulator.explain import fmt_log10
from simulator.gradient_figures import clipping_chart, magnitudes, power_of_ten, profiles
from simulator.models.rnn import Params, backward, forward
from tests.spec import array, loads

NAMES = ["w_x", "w_h", "b", "w_y", "b_y"]
FIELDS = ("dh", "dx", "w_h")  # then the product of the factors, "reach"


def setup(params, *sequences, target=1.0):
    """Rows, flows and reaches for each (label, prices), as the page passes them."""
    rows, flows, reaches = [], [], []
    for label, xs in sequences:
        trace = forward(params, xs)
        f = flow(params, trace, backward(params, trace, target))
        rows.append(Row(label, "#0072B2", trace))
        flows.append(f)
        reaches.append(log10_reach(f.factor))
    return rows, flows, reaches


def points(trace):
    """(x, y) of a scatter trace as drawn: y as sent, x from x0 and dx when it has no x array."""
    y = array(trace["y"]).astype(float)
    if "x" in trace:
        return array(trace["x"]).astype(float), y
    return trace["x0"] + trace["dx"] * np.arange(len(y)), y


def lines(spec):
    """The drawn lines of `magnitudes`/`profiles` (not the legend's keys, not the edge markers)."""
    return [t for t in spec["data"] if "customdata" in t]


def group(trace):
    """'Blue: dh': whose line (or edge marker) and which kind."""
    return f"{trace['hovertemplate'].split(':')[0].split(' ∂')[0]}: {trace['legendgroup']}"


def edge_markers(spec, text):
    return [t for t in spec["data"] if "customdata" not in t and "hovertemplate" in t and text in t["hovertemplate"]]


def on_day(x, y, first_day, values):
    """The plotted y of each day next to log10 |value| of that day (day first_day at index 0)."""
    return y, np.log10(np.abs(np.asarray(values)[x.astype(int) - first_day]))


def tick_value(label):
    """'−10²' -> -100.0: the value a tick label claims."""
    sign, digits = (-1, label[1:]) if label.startswith("−") else (1, label)
    if digits in ("0", "1", "10"):
        return sign * float(digits)
    return sign * 10.0 ** int(digits[2:].translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")))


def test_power_of_ten_labels():
    assert [power_of_ten(k) for k in (-46, 0, 1, 41, 400)] == ["10⁻⁴⁶", "1", "10", "10⁴¹", "10⁴⁰⁰"]


def test_magnitudes_plot_log10_of_the_cores_numbers():
    params = Params.scalar()
    rows, flows, reaches = setup(params, ("Blue", BLUE.xs), ("Red", RED.xs))
    spec = loads(magnitudes(rows, flows, reaches))
    drawn = lines(spec)
    assert len(drawn) == 4 * 2
    keys = [t["name"] for t in spec["data"] if t.get("showlegend", True)]
    assert len(keys) == 4 + 2 and keys[-2:] == ["Blue", "Red"]  # a key per kind of line, one per row's colour
    for r, (label, xs) in enumerate((("Blue", BLUE.xs), ("Red", RED.xs))):
        trace = forward(params, xs)
        grads = backward(params, trace, 1.0)
        core = dict(dh=grads.dh[:, 0], dx=grads.dx, w_h=flows[r].w_h)
        assert flows[r].w_h.sum() == pytest.approx(grads.W_h[0, 0])  # the days' parts add up to the core's dL/dw_h
        assert flows[r].w_h[0] == 0  # day 1's part is dz_1 h_0, and h_0 = 0
        for k, field in enumerate(FIELDS):
            series = drawn[4 * r + k]
            assert series["name"].startswith(label)
            x, y = points(series)
            finite = np.isfinite(y)
            plotted, expected = on_day(x[finite], y[finite], 1, core[field])
            np.testing.assert_allclose(plotted, expected, rtol=1e-12)
            np.testing.assert_array_equal(array(series["customdata"])[finite], core[field][x[finite].astype(int) - 1])
            shown = set(x[finite].astype(int)) | {int(d) for t in edge_markers(spec, "exactly 0") for d in points(t)[0]
                                                 if group(t) == group(series)}  # fmt: skip
            assert shown == set(range(1, len(xs) + 1))  # every day is a point or a marker
        x, y = points(drawn[4 * r + 3])  # the reach, from day 0 (h_0)
        np.testing.assert_array_equal(x, np.arange(len(xs) + 1))
        np.testing.assert_allclose(y, reaches[r], rtol=1e-12)
        hover = array(drawn[4 * r + 3]["customdata"])
        read = [f"{m:.2f}e{int(e)}" for m, e in hover]  # what the hover template prints
        np.testing.assert_allclose([float(t) for t in read], 10 ** reaches[r], rtol=5e-3)


def test_the_reach_hover_reads_like_the_page_beyond_float64():
    rows, flows, reaches = setup(Params.scalar(w_h=1.1), ("Long", np.full(10_000, 0.5)), target=0.0)
    spec = loads(magnitudes(rows, flows, reaches))
    hover = array(lines(spec)[3]["customdata"])
    for t in (0, 1, 5000, 9000):
        assert float(f"{hover[t, 0]:.2f}e{int(hover[t, 1])}") == float(fmt_log10(reaches[0][t]).replace("−", "-"))
    assert fmt_log10(reaches[0][0]).endswith("e413")


def test_day_one_has_no_share_of_w_h_and_is_marked_exactly_zero():
    rows, flows, reaches = setup(Params.scalar(), ("Blue", BLUE.xs))
    spec = loads(magnitudes(rows, flows, reaches))
    zeros = [t for t in edge_markers(spec, "exactly 0") if group(t) == "Blue: w_h"]
    assert flows[0].w_h[0] == 0 and len(zeros) == 1 and points(zeros[0])[0].tolist() == [1]


def test_a_dead_relu_marks_exact_zeros_and_never_plots_infinity():
    params = Params.scalar()
    rows, flows, reaches = setup(params, ("Dead", (1.0, 0.0, 1.0, 1.0)))
    assert rows[0].trace.z[1, 0] < 0
    spec = loads(magnitudes(rows, flows, reaches))
    for t in spec["data"]:
        assert not np.isinf(points(t)[1]).any()
    bottom = spec["layout"]["yaxis"]["range"][0]
    marked = {group(t): points(t)[0].astype(int).tolist() for t in edge_markers(spec, "0")}
    assert marked["Dead: dh"] == [1] and marked["Dead: dx"] == [1, 2] and marked["Dead: reach"] == [0, 1]
    for t in edge_markers(spec, "0"):
        y = points(t)[1]
        assert np.all(y > bottom) and np.all(y < min(spec["layout"]["yaxis"]["tickvals"]))  # below every number
    assert "0 (the path is cut)" in edge_markers(spec, "cut")[0]["hovertemplate"]
    assert any("bottom edge: exactly 0" in a["text"] for a in spec["layout"]["annotations"])
    assert not edge_markers(spec, "overflow")


def test_a_zero_inside_the_sequence_breaks_the_line_and_is_marked():
    params = Params.scalar(w_h=0.5, activation="identity")  # h_2 = 1.8×(−0.5) + 0.5×1.8 = 0: day 3 adds 0 to dL/dw_h
    rows, flows, reaches = setup(params, ("Gap", (1.0, -0.5, 1.0, 1.0)))
    assert flows[0].w_h[2] == 0 and flows[0].w_h[1] != 0 and flows[0].w_h[3] != 0
    spec = loads(magnitudes(rows, flows, reaches))
    x, y = points(next(t for t in lines(spec) if group(t) == "Gap: w_h"))
    assert x.tolist() == [2, 3, 4] and np.isnan(y[1]) and np.isfinite(y[[0, 2]]).all()
    marked = [t for t in edge_markers(spec, "exactly 0") if group(t) == "Gap: w_h"]
    assert [points(t)[0].tolist() for t in marked] == [[1, 3]]


def test_the_reach_goes_beyond_float64_and_the_figure_stays_small():
    params = Params.scalar(w_h=1.1)
    rows, flows, reaches = setup(params, ("Long", np.full(10_000, 0.5)), target=0.0)
    fig = magnitudes(rows, flows, reaches)
    text = fig.to_json()
    spec = loads(text)
    x, y = points(lines(spec)[3])
    assert x[0] == 0 and y[0] == pytest.approx(413.9, abs=0.05) and y[-1] == 0
    assert len(text) < 1_500_000
    overflow = edge_markers(spec, "overflow")
    assert not np.isfinite(flows[0].dh).any() and len(overflow) == 3
    assert len(points(overflow[0])[0]) == 10_000
    assert np.all(points(overflow[0])[1] < spec["layout"]["yaxis"]["range"][1])
    assert "10⁴⁰⁰" in spec["layout"]["yaxis"]["ticktext"] and len(spec["layout"]["yaxis"]["tickvals"]) <= 8


def test_a_long_finite_sequence_sends_every_day_and_stays_small():
    params = Params.scalar(w_h=0.9, activation="tanh")
    rows, flows, reaches = setup(params, ("Long", np.random.default_rng(0).random(10_000)))
    text = magnitudes(rows, flows, reaches).to_json()
    spec = loads(text)
    assert len(text) < 1_500_000
    y = points(lines(spec)[3])[1]
    assert len(y) == 10_001 and np.isfinite(y).all() and y[0] < -300  # far below float64's smallest number


def test_profiles_line_up_at_the_prediction():
    params = Params.scalar()
    rows, flows, _ = setup(params, ("Blue", BLUE.xs), ("Red", RED.xs))
    spec = loads(profiles(rows, flows))
    for trace, xs in zip(lines(spec), (BLUE.xs, RED.xs), strict=True):
        x, y = points(trace)
        dh = backward(params, forward(params, xs), 1.0).dh[:, 0]
        T = len(xs)
        np.testing.assert_array_equal(x, T - np.arange(1, T + 1))  # day t at T - t: the last day at 0
        np.testing.assert_allclose(y, np.log10(np.abs(dh)), rtol=1e-12)
    assert spec["layout"]["xaxis"]["range"][0] > spec["layout"]["xaxis"]["range"][1]  # the prediction on the right


def test_clipping_titles_state_the_mode_and_the_angle():
    g = np.array([30.0, -4.0, 0.5, 2.0, 1.0])
    by_norm = loads(clipping_chart(g, clip(g, "norm", 5.0), NAMES, "norm", 5.0))
    assert by_norm["layout"]["title"]["text"].startswith("clipped by norm to 5: same direction (0.0°)")
    by_value = loads(clipping_chart(g, clip(g, "value", 5.0), NAMES, "value", 5.0))
    turned = angle(g, clip(g, "value", 5.0))
    assert turned > 1
    assert by_value["layout"]["title"]["text"] == f"clipped by value to ±5: direction turned {turned:.1f}°"
    raw, clipped = (array(t["y"]).astype(float) for t in by_value["data"])
    np.testing.assert_array_equal(raw, g)  # under 3 decades: the plain values
    np.testing.assert_array_equal(clipped, [5.0, -4.0, 0.5, 2.0, 1.0])
    none = loads(clipping_chart(g, g, NAMES, "none", 5.0))
    assert none["layout"]["title"]["text"].startswith("no clipping")


def test_clipping_squashes_a_wide_range_with_honest_ticks():
    g = np.array([1e5, -4.0, 0.5, 2.0, 1.0])
    spec = loads(clipping_chart(g, clip(g, "norm", 5.0), NAMES, "norm", 5.0))
    raw = array(spec["data"][0]["y"]).astype(float)
    np.testing.assert_allclose(raw, np.sign(g) * np.log10(1 + np.abs(g)))
    axis = spec["layout"]["yaxis"]
    values = [tick_value(label) for label in axis["ticktext"]]
    assert values == sorted(values) and 0 in values  # in order, through zero
    assert max(values) * 10 >= g.max() and min(values) < 0 < g.max() / max(values) <= 10  # ticks span the bars
    for position, label in zip(axis["tickvals"], axis["ticktext"], strict=True):
        value = tick_value(label)
        assert position == pytest.approx(math.copysign(math.log10(1 + abs(value)), value))


def test_an_overflowed_raw_gradient_is_flagged_not_drawn():
    g = np.array([np.inf, np.nan, 0.5, 2.0, 1.0])
    spec = loads(clipping_chart(g, clip(g, "norm", 5.0), NAMES, "norm", 5.0))
    assert "raw gradient overflowed (∞/NaN)" in spec["layout"]["title"]["text"]
    assert any("raw gradient overflowed (∞/NaN)" in a["text"] for a in spec["layout"]["annotations"])
    raw = spec["data"][0]
    y = array(raw["y"]).astype(float)
    assert np.isfinite(y).all() and y[0] == 0 and y[1] == 0  # no bar for ∞ or NaN
    assert raw["text"][:2] == ["∞", "NaN"]


@pytest.mark.parametrize("w_h", [-0.5, 1.1])
def test_figures_pass_plotlys_full_validation(w_h):
    params = Params.scalar(w_h=w_h)
    rows, flows, reaches = setup(params, ("Blue", BLUE.xs), ("Long", np.full(8000, 0.5)), ("Dead", (1.0, 0.0, 1.0)))
    g = np.array([np.inf, -4.0, 0.5, 2e5, 1.0])
    for fig in (
        magnitudes(rows, flows, reaches),
        profiles(rows, flows),
        clipping_chart(g, clip(g, "value", 5.0), NAMES, "value", 5.0),
        clipping_chart(g[1:], clip(g[1:], "norm", 5.0), NAMES[1:], "norm", 5.0),
    ):
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property or value
