"""The over-time chart carries the core's numbers, bounded for long sequences; animated figures tell the frame
they show apart from a changed figure. (The unrolled diagram is the component: tests/test_diagram.py.)"""

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator.data import BLUE, RED, Row
from simulator.figures import figure, player, projected, same_but_shown, shown_frame
from simulator.models.rnn import Params, forward
from simulator.unroll_figures import over_time
from tests.spec import array, loads

STATQUEST = Params.scalar()


def rows_for(params, *sequences):
    return [Row(f"row {i}", "#000000", forward(params, xs)) for i, xs in enumerate(sequences)]


def test_over_time_size_stays_bounded():
    sizes = {}
    for T in (9, 100, 1000, 10000):
        rows = rows_for(STATQUEST, np.random.default_rng(T).random(T))
        sizes[T] = len(over_time(rows, T - 1).to_json())
    assert sizes[9] < 300_000 and max(sizes.values()) < 2_000_000
    assert sizes[10000] - sizes[1000] < 12 * (sizes[1000] - sizes[100])  # linear in T, not quadratic


def test_overflow_is_left_out_of_the_over_time_chart_and_said():
    params = Params.scalar(w_h=3.0, activation="identity")
    xs = np.ones(700)
    assert not np.isfinite(forward(params, xs).h[-1, 0])
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
    go.Figure(over_time(rows, 699).to_dict())  # raises ValueError on any invalid property or value


def test_figures_that_differ_only_in_the_frame_shown_are_told_apart_from_changed_ones():
    def played(active, y=(1, 2, 3)):
        frames = [dict(name=str(k), data=[dict(type="scatter", y=[v])]) for k, v in enumerate(y, 1)]
        return figure([dict(type="scatter", y=[y[0]])], player(["1", "2", "3"], active, "day"), frames)

    day1, day3 = played("1"), played("3")
    assert (shown_frame(day1), shown_frame(day3)) == ("1", "3")
    assert same_but_shown(day1, day3)
    assert not same_but_shown(day1, played("1", y=(1, 2, 4)))
    assert not same_but_shown(day1, projected(day1))


def test_tomorrows_predictions_are_said_above_the_plot_not_on_its_lines():
    spec = loads(over_time(rows_for(STATQUEST, BLUE.xs, RED.xs), 8))
    stars = [t for t in spec["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert len(stars) == 2 and not any("text" in t for t in stars)  # nothing drawn on the lines or the stars
    note = next(a for a in spec["layout"]["annotations"] if a["text"].startswith("tomorrow: "))
    assert (note["yref"], note["y"], note["yanchor"]) == ("paper", 1, "bottom")  # above the plot area
    assert note["text"].count("★") == 2 and "1.36" in note["text"]  # the blue company's prediction
    big = loads(over_time(rows_for(STATQUEST, (10_000.0, 12_000.0))))
    assert big["layout"]["yaxis"]["title"]["text"] == "value"  # no '0 = low, 1 = high' over prices of 10,000
