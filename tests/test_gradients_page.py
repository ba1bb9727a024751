"""The Gradients page through AppTest: its numbers are the core's, presets reproduce their references."""

import json
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simulator import diagram, network, state
from simulator.bptt import angle, stored
from simulator.data import BLUE, RED, Row
from simulator.explain import fmt, fmt_log10
from simulator.gradient_figures import clipping_chart, magnitudes
from simulator.gradients import PARAMETERS, backprop, clipping_caption, forward_overflow, headline, precision_note
from simulator.models.rnn import Params, backward, forward
from simulator.presets import BY_KEY
from simulator.state import scenario_query
from simulator.stories import build, story
from tests.apptest import open_app
from tests.spec import array

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def number(text):
    """A number as the page prints it (true minus sign)."""
    return float(text.replace("−", "-"))


def gradients_page(**query):
    return open_app("pages/gradients.py", **query)


def chart(at, key):
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key)).proto.spec)


def drawn(at, key="backward"):
    """The data the diagram component `key` gets, as the browser receives it."""
    return json.loads(next(e for e in at.get("bidi_component") if e.proto.id.endswith(key)).proto.json)


def tiles(at):
    """Every finite value the backward diagram's tiles show (∂L/∂y and ∂L/∂h of every day), sorted."""
    values = []
    for row in drawn(at)["rows"]:
        values += [*diagram.decoded(row["dy"]), *diagram.decoded(row["dh"]).reshape(-1)]
    values = np.array(values)
    return np.sort(values[np.isfinite(values)])


def expected(params, *sequences, target=1.0):
    values = []
    for xs in sequences:
        trace = forward(params, xs)
        grads = backward(params, trace, target)
        dy = np.zeros(len(xs))
        dy[-1] = trace.y[-1] - target
        values += [*grads.dh[:, 0], *dy]
    return np.sort(np.array(values))


def test_renders_blue_and_red_with_the_cores_gradients():
    at = gradients_page()
    assert not at.exception
    np.testing.assert_allclose(tiles(at), expected(Params.scalar(), BLUE.xs, RED.xs), rtol=1e-12)
    headline = next(m.value for m in at.markdown if m.value.startswith("Blue company: going back 9 days"))
    assert "**1.95e−3**" in headline  # 0.5^9: ReLU stays active on the blue company's prices


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
    shown = number(headline.split("**")[1])
    assert shown == pytest.approx(float(reference), rel=5e-3)  # as printed: 3 significant digits
    assert any("reproduces" in i.value for i in at.info)  # the preset's story is on screen


def test_the_dead_relu_preset_says_the_path_is_cut():
    at = gradients_page()
    at.selectbox(key="preset").set_value("dead-relu").run()
    headline = next(m.value for m in at.markdown if "going back" in m.value)
    assert "**0**" in headline and "the path is cut on day 2" in headline and "z<sub>2</sub> = −0.9 < 0" in headline
    assert "float64" not in headline  # a cut path is 0, not a number beyond float64


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


@pytest.mark.parametrize(("preset", "said"), [("seed-0.9", "stored as **exactly 0**"), ("seed-1.1", "stored as **∞**")])
def test_float32_says_where_it_underflows_and_overflows(preset, said):
    at = gradients_page()
    at.selectbox(key="preset").set_value(preset).run()  # a scenario is a whole setup: float64 ...
    next(g for g in at.get("button_group") if g.key == "precision").set_value("float32").run()  # ... until changed
    assert not at.exception
    assert any(said in i.value for i in at.info)
    params, rows, settings = build(BY_KEY[preset])
    low = backprop(params, rows[0], settings["target"], settings["loss"], precision="float32")
    dh = diagram.decoded(drawn(at)["rows"][0]["dh"])[:, 0]  # still drawn, float32's numbers as they are
    assert np.array_equal(dh, low.flow.dh.astype(np.float64), equal_nan=True) and dh.size == 1000


@settings(max_examples=30, deadline=None)
@given(
    weights=st.fixed_dictionaries({s.name: st.floats(s.lo, s.hi) for s in state.WEIGHTS}),
    activation=st.sampled_from(state.ACTIVATION.choices),
    days=st.integers(1, 10_000),
    price=st.floats(-5, 5),
    target=st.floats(state.TARGET.lo, state.TARGET.hi),
    loss=st.sampled_from(state.LOSS.choices),
    clip=st.sampled_from(state.CLIP.choices),
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
    json.dumps(diagram.backward(params, [bp.row], min(day, days - 1) + 1), allow_nan=False)
    magnitudes([bp.row], [bp.flow], [bp.reach]).to_json()
    clipping_chart(bp.raw, bp.clipped, PARAMETERS, clip, clip_at).to_json()
    assert f"going back {days} days" in headline(bp)
    assert (precision_note(bp) is None) == (precision == "float64")
    assert (forward_overflow(bp) is None) == bool(np.isfinite(bp.row.trace.h).all())


def test_the_clipping_caption_says_what_this_clipping_did():
    """By norm: the length changes and the direction stays (no angle); by value: the angle it turned the step."""
    params, xs = Params.scalar(), BLUE.xs
    row = Row("Blue", "#000", forward(params, xs))
    by_value = backprop(params, row, 1.0, clip="value", clip_at=0.1)
    degrees = angle(by_value.raw, by_value.clipped)
    assert degrees > 0 and f"here it turns the step by {degrees:.1f}°." in clipping_caption(by_value, "value")
    by_norm = backprop(params, row, 1.0, clip="norm", clip_at=0.1)
    raw, clipped = np.linalg.norm(by_norm.raw), np.linalg.norm(by_norm.clipped)
    assert clipped == pytest.approx(0.1) and raw > 0.1
    said = clipping_caption(by_norm, "norm")
    assert "°" not in said and "points the same way" in said and angle(by_norm.raw, by_norm.clipped) < 1e-6
    loose = backprop(params, row, 1.0, clip="norm", clip_at=100.0)
    assert "within the threshold, so nothing changes" in clipping_caption(loose, "norm")
    big = Params.scalar(w_h=3.0, activation="identity")
    overflowed = backprop(big, Row("Long", "#000", forward(big, np.ones(700))), 1.0, clip="value", clip_at=5.0)
    assert "the raw gradient overflowed" in clipping_caption(overflowed, "value")


def test_the_float32_story_is_what_the_tiles_show():
    """0.9^1000 as one power is 0 in float32, but the gradient worked out day by day sticks among the subnormals."""
    preset = BY_KEY["seed-0.9-float32"]
    told = story(preset)
    params, rows, settings = build(preset)
    low = backprop(params, rows[0], settings["target"], settings["loss"], precision="float32")
    exact = backprop(params, rows[0], settings["target"], settings["loss"])
    assert stored(exact.reach[0], np.float32) == 0 and "stored as exactly 0" in told
    last, first, stuck, true = re.search(
        r"from day (\d+) back to day (\d+) it sticks at (\S+) \(float64: (\S+) on day", told
    ).groups()
    last, first = int(last), int(first)
    dh = low.flow.dh
    assert first == 1 and np.all(dh[:last] == dh[0]) and dh[last] != dh[0] and dh[0] > 0  # stuck, never 0
    assert fmt(dh[0]) == stuck and fmt(exact.flow.dh[0]) == true and number(stuck) > 2 * number(true)
    at = gradients_page(**scenario_query(preset))
    assert stuck in " ".join(i.value for i in at.info)  # the page's own note says it too
    assert fmt(tiles_raw(at)[0]) == stuck  # and day 1's tile shows it


def tiles_raw(at):
    """The backward diagram's ∂L/∂h values of day 1, one a row."""
    return [diagram.decoded(row["dh"])[0, 0] for row in drawn(at)["rows"]]


def test_the_dead_relu_story_names_the_day_and_the_prices_that_cannot_matter():
    preset = BY_KEY["dead-relu"]
    told = story(preset)
    params, rows, settings = build(preset)
    bp = backprop(params, rows[0], settings["target"], settings["loss"])
    day = int(re.search(r"On day (\d+) z", told).group(1))
    z = rows[0].trace.z[day - 1, 0]
    assert z < 0 and bp.flow.act[day - 1] == 0 and f"= {fmt(z)} < 0" in told
    silent = [int(d) for d in re.search(r"days ([\d, and]+) cannot", told).group(1).replace("and", ",").split(",")]
    assert silent == [t + 1 for t in range(rows[0].days) if bp.flow.dx[t] == 0] and all(bp.flow.dx[day:])


@pytest.mark.parametrize("key", ["seed-0.99", "seed-0.9", "seed-1.1", "statquest-2", "statquest-0.5"])
def test_a_power_story_says_vanished_or_exploded_as_its_product_does(key):
    told = story(BY_KEY[key])
    params, rows, settings = build(BY_KEY[key])
    reach = backprop(params, rows[0], settings["target"], settings["loss"]).reach[0]
    assert ("vanished" in told) == (reach < -1) and ("exploded" in told) == (reach > 1)
    assert f"= {fmt_log10(reach)}:" in told


def test_exploding_forward_and_exploding_gradient_are_told_apart():
    at = gradients_page(seq="blue", w_h="1.5")
    said = " ".join(w.value for w in at.warning)
    y = forward(Params.scalar(w_h=1.5), BLUE.xs).y[-1]
    assert f"the prediction is **{fmt(y)}**" in said and fmt(y) == "61.1" and "both explode" in said
    calm = gradients_page(seq="typed", typed="0.5*1000", w_h="0.99")  # h settles near 90: big, not exploding
    assert not [w for w in calm.warning if "explode" in w.value]
    unroll = open_app("pages/unroll.py", seq="blue", w_h="1.5")
    assert any("the forward pass explodes" in w.value and "**61.1**" in w.value for w in unroll.warning)


def test_a_long_sequence_says_where_its_window_sits_and_shades_it():
    at = gradients_page(seq="typed", typed="0.5*1000", w_h="0.99")
    note = next(m.value for m in at.markdown if "the diagram shows days" in m.value)
    assert "days 1 to 12 of 1,000" in note and f"by a factor of {fmt(0.99**11)}," in note
    assert f"it changes by {fmt(0.99**999)}" in note  # 999 steps back from day 1,000 to day 1
    rect = chart(at, "magnitudes")["layout"]["shapes"][0]
    assert (rect["x0"], rect["x1"]) == (0.5, 12.5)


def test_the_backward_diagram_lines_the_rows_up_at_their_end_and_keeps_its_day_from_the_link():
    data = drawn(gradients_page())
    assert (data["view"], data["longest"], data["day"]) == ("backward", 9, 1)  # day 1: the whole pass computed
    assert [(r["label"], r["days"], r["offset"]) for r in data["rows"]] == [
        ("Blue company", 9, 0),
        ("Red company", 5, 4),
    ]
    params = Params.scalar()
    for row, xs in zip(data["rows"], (BLUE.xs, RED.xs), strict=True):
        trace = forward(params, xs)
        slope = (trace.z[:, 0] > 0).astype(float)  # ReLU's act'(z_t)
        assert np.array_equal(diagram.decoded(row["factor"]), -0.5 * slope)  # w_h act'(z_t), each step back
    assert drawn(gradients_page(back="7"))["day"] == 7
    at = gradients_page(back="40")
    assert drawn(at)["day"] == 1 and any("asks for day 40" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "query",
    [{"units": "3", "recipe": "radius"}, {"cell": "lstm"}, {"cell": "gru", "units": "8"}, {"units": "32"},
     {"cell": "lstm", "units": "3", "loss": "all", "clip": "norm", "clip_at": "0.01"}],
)  # fmt: skip
def test_any_cell_and_n_units_shows_the_cores_gradients_and_says_them(query):
    at = gradients_page(**query)
    assert not at.exception
    v = {**{s.name: s.default for s in state.SETTINGS.values()}, **query}
    v["units"], v["clip_at"] = int(v["units"]), float(v["clip_at"])
    p = network.params(v)
    model, n = network.MODELS[v["cell"]], p.n
    said = f"the {network.CELLS[v['cell']]} with {n} unit"
    assert any(said in c.value for c in at.caption) and (drawn(at)["cell"], drawn(at)["n"]) == (v["cell"], n)
    for sent, company in zip(drawn(at)["rows"], (BLUE, RED), strict=True):
        tr = network.forward(v, p, np.array(company.xs))
        target = 1.0 if v["loss"] == "last" else np.append(tr.xs[1:], 1.0)
        g = model.backward(p, tr, target, v["loss"])
        np.testing.assert_allclose(diagram.decoded(sent["dh"]), g.dh.reshape(-1, n), rtol=1e-12)
        size = np.linalg.norm(g.dh, axis=1)
        head = next(m.value for m in at.markdown if m.value.startswith(f"{company.label}: going back from day"))
        assert f"‖∂L/∂h<sub>1</sub>‖ = {fmt(size[0])}" in head
        assert f"**{fmt(size[0] / size[-1])}**" in head
        if v["cell"] == "lstm":
            f_most = tr.f[1:, np.argmax(np.prod(tr.f, axis=0))]  # the most open unit's f_2 .. f_T
            assert f"f<sub>2</sub> = **{fmt(np.prod(f_most))}**" in head
    if "clip" in query:  # every parameter of the cell, named, by its norm
        spec = chart(at, "clipping-Blue company")
        names = [f"‖{name}‖" for name in p.NAMES]
        assert [re.sub("<[^>]+>", "", x.replace("<sub>", "_")) for x in spec["data"][0]["x"]] == names
    else:
        assert any("‖∂L/∂h" in t["name"] for t in chart(at, "magnitudes")["data"])


def test_the_chain_rule_is_on_the_page_one_step_a_line():
    at = gradients_page(seq="blue")
    lines = next(m.value for m in at.markdown if "one day back" in m.value).split("  \n")
    steps = [line for line in lines if line.startswith("∂L/∂h<sub>") and " × " in line and "so" not in line]
    assert len(steps) == 1 + 8  # ∂L/∂h_9 from the error, then one line a day back to day 1
    assert any(line.startswith("so ∂L/∂h<sub>1</sub>") for line in lines)
    total = next(line for line in lines if line.startswith("∂L/∂w<sub>h</sub> = "))
    params = Params.scalar()
    grads = backward(params, forward(params, BLUE.xs), 1.0)
    assert total.endswith(f"= **{fmt(grads.W_h[0, 0])}**") and total.count(" × ") == 9
