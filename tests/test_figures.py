"""The figures carry the core's numbers, one frame per day, windowed and bounded for long sequences."""

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator.data import BLUE, RED
from simulator.figures import WINDOW, Row, over_time, projected, same_but_shown, shown_frame, unrolled, window_of
from simulator.models.rnn import Params, forward
from tests.spec import array, loads

STATQUEST = Params.scalar()


def rows_for(params, *sequences):
    return [Row(f"row {i}", "#000000", forward(params, xs)) for i, xs in enumerate(sequences)]


def tile(spec, trace, x, y):
    """The value a heatmap draws at data point (x, y), using the cell edges of the figure's tiles."""
    edges = spec["data"][0]
    i = np.searchsorted(array(edges["y"]).astype(float), y) - 1
    j = np.searchsorted(array(edges["x"]).astype(float), x) - 1
    return array(trace["z"]).astype(float)[i, j]


def frame_traces(spec, name):
    frame = next(f for f in spec["frames"] if f["name"] == name)
    return dict(zip(frame["traces"], frame["data"], strict=True))


@pytest.mark.parametrize("company", [BLUE, RED])
def test_one_frame_per_day_with_the_cores_numbers(company):
    trace = forward(STATQUEST, company.xs)
    spec = loads(unrolled(STATQUEST, rows_for(STATQUEST, company.xs), step=company.days - 1))
    assert [f["name"] for f in spec["frames"]] == [str(d) for d in range(1, company.days + 1)]
    last = frame_traces(spec, str(company.days))
    for t in range(company.days):
        for k, expected in enumerate((trace.xs[t], trace.h[t, 0], trace.y[t])):
            assert tile(spec, last[1], t, k) == pytest.approx(expected, rel=1e-6)


def test_future_days_are_unknown_and_the_current_day_is_highlighted():
    spec = loads(unrolled(STATQUEST, rows_for(STATQUEST, BLUE.xs), step=8))
    third = frame_traces(spec, "3")
    assert np.isfinite(tile(spec, third[1], 2, 1)) and np.isnan(tile(spec, third[1], 3, 1))
    assert "?" in third[3]["text"][3 * 3 + 1]  # h_4 is not computed yet on day 3
    highlight_x = [x for x in third[4]["x"] if x is not None]
    assert min(highlight_x) < 2 < max(highlight_x) and max(highlight_x) < 3


def test_each_frame_shows_the_equation_with_real_numbers():
    spec = loads(unrolled(STATQUEST, rows_for(STATQUEST, (0.0, 0.5)), step=1))
    equation = frame_traces(spec, "2")[3]["text"][-1]  # the tiles' text, then the equation
    assert "h<sub>2</sub> = ReLU(1.8×0.5 + (−0.5)×0 + 0) = <b>0.9</b>" in equation
    assert "y<sub>2</sub> = w<sub>y</sub>·h<sub>2</sub> + b<sub>y</sub> = 1.1×0.9 + 0 = <b>0.99</b>" in equation


def test_the_relu_clip_is_spelled_out():
    params = Params.scalar(w_h=-2.0)
    spec = loads(unrolled(params, rows_for(params, (1.0, 0.5)), step=1))
    assert "= ReLU(−2.7) = <b>0</b>" in frame_traces(spec, "2")[3]["text"][-1]


def test_blue_and_red_share_frames_and_red_finishes_first():
    spec = loads(unrolled(STATQUEST, rows_for(STATQUEST, BLUE.xs, RED.xs), step=8))
    assert len(spec["frames"]) == BLUE.days
    equations = frame_traces(spec, "7")[3]["text"][-2:]
    assert "day 7" in equations[0] and "done after 5 days" in equations[1]


def test_long_sequences_animate_a_window_around_the_step():
    xs = np.linspace(0, 1, 1000)
    spec = loads(unrolled(STATQUEST, rows_for(STATQUEST, xs), step=499))
    window = window_of(499, 1000)
    assert len(spec["frames"]) == WINDOW == len(window) and 499 in window
    assert spec["frames"][0]["name"] == str(window[0] + 1)
    trace = forward(STATQUEST, xs)
    first = frame_traces(spec, str(window[0] + 1))
    assert tile(spec, first[1], 0, 1) == pytest.approx(trace.h[window[0], 0], rel=1e-6)


def test_figure_size_stays_bounded():
    sizes = {}
    for T in (9, 100, 1000, 10000):
        rows = rows_for(STATQUEST, np.random.default_rng(T).random(T))
        sizes[T] = len(unrolled(STATQUEST, rows, T - 1).to_json()) + len(over_time(rows, T - 1).to_json())
    assert sizes[9] < 300_000 and max(sizes.values()) < 2_000_000
    assert sizes[10000] - sizes[1000] < 12 * (sizes[1000] - sizes[100])  # linear in T, not quadratic


def test_overflow_is_drawn_as_overflow_not_as_a_number():
    params = Params.scalar(w_h=3.0, activation="identity")
    xs = np.ones(700)
    spec = loads(unrolled(params, rows_for(params, xs), step=699))
    last = frame_traces(spec, "700")
    assert not np.isfinite(forward(params, xs).h[-1, 0])
    assert tile(spec, last[2], len(spec["frames"]) - 1, 1) == 1  # the overflow tile is lit
    assert np.isnan(tile(spec, last[1], len(spec["frames"]) - 1, 1))  # and no colour is invented
    assert "∞" in last[3]["text"][-3]  # h on the last day (then y, then the equation)
    chart = loads(over_time(rows_for(params, xs)))
    hidden = array(chart["data"][1]["y"]).astype(float)
    assert np.isnan(hidden[-1]) and np.isfinite(hidden[0])
    assert any("overflows float64" in a["text"] for a in chart["layout"]["annotations"])


def test_over_time_draws_each_prediction_at_the_day_it_predicts():
    trace = forward(STATQUEST, BLUE.xs)
    chart = loads(over_time(rows_for(STATQUEST, BLUE.xs)))
    price, hidden, prediction = (chart["data"][i] for i in range(3))
    np.testing.assert_allclose(array(price["y"]).astype(float), BLUE.xs)
    np.testing.assert_allclose(array(hidden["y"]).astype(float), trace.h[:, 0])
    np.testing.assert_array_equal(array(prediction["x"]).astype(float), np.arange(2, BLUE.days + 2))
    np.testing.assert_allclose(array(prediction["y"]).astype(float), trace.y)


@pytest.mark.parametrize("overflow", [False, True])
def test_figures_pass_plotlys_full_validation(overflow):
    """The builders skip plotly's (slow) validation at run time; here every property is checked."""
    params = Params.scalar(w_h=3.0 if overflow else -0.5)
    rows = rows_for(params, np.ones(700), RED.xs)
    for fig in (unrolled(params, rows, 699), over_time(rows, 699)):
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property or value


def test_figures_that_differ_only_in_the_frame_shown_are_told_apart_from_changed_ones():
    rows = rows_for(STATQUEST, BLUE.xs)
    day3, day7 = unrolled(STATQUEST, rows, 2), unrolled(STATQUEST, rows, 6)
    assert (shown_frame(day3), shown_frame(day7)) == ("3", "7")
    assert same_but_shown(day3, day7)
    other = Params.scalar(w_h=0.9)
    assert not same_but_shown(day3, unrolled(other, rows_for(other, BLUE.xs), 2))
    assert not same_but_shown(day3, projected(day3))


def test_a_long_number_is_set_smaller_to_stay_inside_its_tile():
    spec = loads(unrolled(STATQUEST, rows_for(STATQUEST, (-0.00014, 0.5)), step=1))
    text = frame_traces(spec, "2")[3]["text"]  # tiles in order x_1, h_1, y_1, x_2, ...
    assert "font-size:0.85em'>−1.4e−4</span>" in text[0]
    assert "<b>0.5</b>" in text[3] and "font-size" not in text[3]


def test_tomorrows_predictions_are_said_above_the_plot_not_on_its_lines():
    spec = loads(over_time(rows_for(STATQUEST, BLUE.xs, RED.xs), 8))
    stars = [t for t in spec["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert len(stars) == 2 and not any("text" in t for t in stars)  # nothing drawn on the lines or the stars
    note = next(a for a in spec["layout"]["annotations"] if a["text"].startswith("tomorrow: "))
    assert (note["yref"], note["y"], note["yanchor"]) == ("paper", 1, "bottom")  # above the plot area
    assert note["text"].count("★") == 2 and "1.36" in note["text"]  # the blue company's prediction
    big = loads(over_time(rows_for(STATQUEST, (10_000.0, 12_000.0))))
    assert big["layout"]["yaxis"]["title"]["text"] == "value"  # no '0 = low, 1 = high' over prices of 10,000


def test_the_day_slider_has_short_labels_that_fit_a_phone():
    slider = loads(unrolled(STATQUEST, rows_for(STATQUEST, np.full(30, 0.5)), step=15))["layout"]["sliders"][0]
    assert slider["currentvalue"]["prefix"] == "showing day "
    assert [s["label"] for s in slider["steps"]] == [str(d) for d in range(13, 25)]
