"""The Gradients page through AppTest: its numbers are the core's, presets reproduce their references."""

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simulator import state
from simulator.data import BLUE, RED
from simulator.figures import Backward, Row, unrolled
from simulator.gradient_figures import clipping, magnitudes
from simulator.gradients import PARAMETERS, backprop, forward_overflow, headline, precision_note, turn
from simulator.models.rnn import Params, backward, forward
from tests.apptest import charts, open_app
from tests.spec import array

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def gradients_page(**query):
    return open_app("pages/gradients.py", **query)


def chart(at, key):
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key)).proto.spec)


def tiles(at):
    """Every finite value drawn in the backward diagram's tiles, sorted."""
    spec = charts(at)[0]
    frame = next(f for f in spec["frames"] if f["name"] == "1")  # day 1: every gradient computed
    z = array(frame["data"][0]["z"]).astype(float)
    return np.sort(z[np.isfinite(z)])


def expected(params, *sequences, target=1.0):
    values = []
    for xs in sequences:
        trace = forward(params, xs)
        grads = backward(params, trace, target)
        dy = np.zeros(len(xs))
        dy[-1] = trace.y[-1] - target
        values += [*grads.dx, *grads.dh[:, 0], *dy]
    logs = np.array([np.sign(v) * max(0.0, np.log10(abs(v)) + 6) if v else 0.0 for v in values])
    return np.sort(logs)


def test_renders_blue_and_red_with_the_cores_gradients():
    at = gradients_page()
    assert not at.exception
    np.testing.assert_allclose(tiles(at), expected(Params.scalar(), BLUE.xs, RED.xs), rtol=1e-12)
    headline = next(m.value for m in at.markdown if m.value.startswith("Blue company: going back 9 days"))
    assert "**0.00195**" in headline  # 0.5^9: ReLU stays active on the blue company's prices


def test_changing_a_weight_changes_the_gradients():
    at = gradients_page()
    at.number_input(key="w_h").set_value(0.9).run()
    np.testing.assert_allclose(tiles(at), expected(Params.scalar(w_h=0.9), BLUE.xs, RED.xs), rtol=1e-12)


@pytest.mark.parametrize(
    ("preset", "reference"),
    [
        ("seed-0.99", Fraction(99, 100) ** 1000),
        ("seed-0.9", Fraction(9, 10) ** 1000),
        ("seed-1.1", Fraction(11, 10) ** 1000),
        ("statquest-2", Fraction(2) ** 50),
        ("statquest-0.5", Fraction(1, 2) ** 50),
    ],
)
def test_presets_reproduce_their_reference(preset, reference):
    at = gradients_page()
    at.selectbox(key="preset").set_value(preset).run()
    assert not at.exception
    headline = next(m.value for m in at.markdown if "going back" in m.value)
    shown = float(headline.split("**")[1])
    assert shown == pytest.approx(float(reference), rel=1e-3)  # as printed: 4 significant digits
    assert any("reproduces" in i.value for i in at.info)  # the preset's story is on screen


def test_the_dead_relu_preset_says_the_path_is_cut():
    at = gradients_page()
    at.selectbox(key="preset").set_value("dead-relu").run()
    assert any("0 (the path is cut)" in m.value for m in at.markdown)


def test_beyond_float64_is_said_in_log_space():
    at = gradients_page(seq="typed", typed="0.5*10000", w_h="1.1")
    assert not at.exception
    headline = next(m.value for m in at.markdown if "going back 10000 days" in m.value)
    assert "e413" in headline and "beyond float64" in headline
    assert any("forward pass itself overflowed" in w.value for w in at.warning)


def test_clipping_by_value_is_drawn_and_keeps_the_raw_gradient():
    at = gradients_page(seq="blue", clip="value", clip_at="0.1")
    assert not at.exception
    spec = chart(at, "clipping-Blue company")
    assert spec["layout"]["title"]["text"].startswith("clipped by value to ±0.1")
    raw, clipped = (array(t["y"]).astype(float) for t in spec["data"][:2])
    assert np.abs(clipped).max() <= 0.1 + 1e-12 and np.abs(raw).max() > 0.1


@pytest.mark.parametrize(
    ("preset", "said"), [("seed-0.9", "underflows to **exactly 0**"), ("seed-1.1", "overflows to **∞**")]
)
def test_float32_says_where_it_underflows_and_overflows(preset, said):
    at = gradients_page()
    at.selectbox(key="preset").set_value(preset).run()  # a scenario is a whole setup: float64 ...
    next(g for g in at.get("button_group") if g.key == "precision").set_value("float32").run()  # ... until changed
    assert not at.exception
    assert any(said in i.value for i in at.info)
    spec = charts(at)[0]
    assert spec["frames"]  # still drawn: overflow and underflow are shown, not raised


@settings(max_examples=30, deadline=None)
@given(
    weights=st.fixed_dictionaries({s.name: st.floats(s.lo, s.hi) for s in state.WEIGHTS}),
    activation=st.sampled_from(state.ACTIVATION.choices),
    days=st.integers(1, 10_000),
    price=st.floats(-5, 5),
    target=st.floats(state.TARGET.lo, state.TARGET.hi),
    loss=st.sampled_from(state.LOSS.choices),
    clip=st.sampled_from(state.CLIPPING.choices),
    clip_at=st.floats(state.CLIP_AT.lo, state.CLIP_AT.hi),
    precision=st.sampled_from(state.PRECISION.choices),
    day=st.integers(0, 10_000),
)
@example(
    dict(w_x=5.0, w_h=3.0, b=5.0, w_y=-5.0, b_y=5.0),
    "identity",
    10_000,
    5.0,
    5.0,
    "all",
    "value",
    0.01,
    "float32",
    9_999,
)
@example(dict(w_x=1.8, w_h=1.1, b=0.0, w_y=1.1, b_y=0.0), "relu", 10_000, 0.5, 1.0, "last", "norm", 5.0, "float64", 0)
def test_no_combination_of_settings_raises(
    weights, activation, days, price, target, loss, clip, clip_at, precision, day
):
    """Everything the page computes and draws, for any slider values and up to 10,000 days."""
    params = Params.scalar(**weights, activation=activation)
    xs = np.full(days, price) + np.linspace(0, 1, days)
    row = Row("Your prices", "#009E73", forward(params, xs))
    bp = backprop(params, row, target, loss, clip, clip_at, precision)
    unrolled(params, [bp.row], min(day, days - 1), view=Backward).to_json()
    magnitudes([bp.row], [bp.flow], [bp.reach]).to_json()
    clipping(bp.raw, bp.clipped, PARAMETERS, clip, clip_at).to_json()
    assert f"going back {days} days" in headline(bp)
    assert (precision_note(bp) is None) == (precision == "float64")
    assert (forward_overflow(bp) is None) == bool(np.isfinite(bp.row.trace.h).all())


def test_the_clipping_caption_names_the_angle_or_why_there_is_none():
    params = Params.scalar()
    finite = backprop(params, Row("Blue", "#000", forward(params, BLUE.xs)), 1.0, clip="value", clip_at=0.1)
    assert turn(finite).startswith("(here by ") and turn(finite).endswith("°)")
    big = Params.scalar(w_h=3.0, activation="identity")
    overflowed = backprop(big, Row("Long", "#000", forward(big, np.ones(700))), 1.0, clip="value", clip_at=5.0)
    assert turn(overflowed) == "(here the raw gradient overflowed: no angle to measure)"
