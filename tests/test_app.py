"""The Unroll page through Streamlit's AppTest, from the entry point, as a user drives it."""

import json

import numpy as np
import pytest

from simulator import race
from simulator.data import BLUE, RED
from simulator.diagram import decoded
from simulator.explain import subscripts
from simulator.models.rnn import Params, forward
from simulator.presets import PRESETS
from tests.apptest import charts, open_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


app = open_app  # the home page is the Unroll page


def chart(at, index=0):
    """The figure JSON of the page's index-th plotly chart (0: over time)."""
    return charts(at)[index]


def drawn(at, key="unrolled"):
    """The data the diagram component `key` gets, as the browser receives it."""
    return json.loads(next(e for e in at.get("bidi_component") if e.proto.id.endswith(key)).proto.json)


def shown_values(at):
    """Every finite value the diagram's tiles show (x, h, y of every row and day), sorted."""
    values = []
    for row in drawn(at)["rows"]:
        values += [*decoded(row["x"]), *decoded(row["values"]["h"]).reshape(-1), *decoded(row["y"])]
    values = np.array(values)
    return np.sort(values[np.isfinite(values)])


def expected_values(params, *sequences):
    values = []
    for xs in sequences:
        trace = forward(params, xs)
        values += [*trace.xs, *trace.h[:, 0], *trace.y]
    return np.sort(np.array(values, dtype=np.float64))


def test_renders_blue_and_red_through_the_same_weights():
    at = app()
    assert not at.exception
    np.testing.assert_array_equal(shown_values(at), expected_values(Params.scalar(), BLUE.xs, RED.xs))
    assert [row["days"] for row in drawn(at)["rows"]] == [BLUE.days, RED.days] and drawn(at)["day"] == BLUE.days
    assert any("predicts **1.36** for day 10" in m.value for m in at.markdown)


def test_changing_a_weight_changes_the_figure_to_the_cores_numbers():
    at = app()
    at.number_input(key="w_h").set_value(0.9).run()
    assert not at.exception
    np.testing.assert_array_equal(shown_values(at), expected_values(Params.scalar(w_h=0.9), BLUE.xs, RED.xs))
    assert at.slider(key="w_h·slider").value == 0.9


def test_the_slider_and_the_exact_box_stay_in_sync():
    at = app()
    at.slider(key="w_x·slider").set_value(2.5).run()
    assert at.number_input(key="w_x").value == 2.5
    at.number_input(key="w_x").set_value(-1.234).run()
    assert at.slider(key="w_x·slider").value == -1.234
    np.testing.assert_array_equal(shown_values(at), expected_values(Params.scalar(w_x=-1.234), BLUE.xs, RED.xs))


def test_a_slider_value_between_its_steps_lands_on_the_grid():
    at = app()
    at.slider(key="b_y·slider").set_value(0.5937499999999999).run()  # what PageUp gave in Chromium
    assert at.number_input(key="b_y").value == 0.59 and at.query_params["b_y"] == "0.59"


def test_reset_restores_statquests_network():
    at = app()
    at.number_input(key="w_y").set_value(3.0).run()
    at.selectbox(key="act").set_value("tanh").run()
    next(b for b in at.button if "Reset" in b.label).click().run()
    assert at.number_input(key="w_y").value == 1.1 and at.selectbox(key="act").value == "relu"
    np.testing.assert_array_equal(shown_values(at), expected_values(Params.scalar(), BLUE.xs, RED.xs))


@pytest.mark.parametrize(("choice", "days"), [("blue", 9), ("red", 5)])
def test_one_column_per_day(choice, days):
    data = drawn(app(seq=choice))
    assert [row["days"] for row in data["rows"]] == [days] and (data["start"], data["stop"]) == (0, days)


def test_typed_sequence_and_bad_text_keeps_the_last_valid_one():
    at = app(seq="typed")
    at.text_area(key="typed").input("0, 0.5").run()
    np.testing.assert_array_equal(shown_values(at), expected_values(Params.scalar(), (0, 0.5)))
    for bad in ("0, 0.5, banana", "", "1, inf"):
        at.text_area(key="typed").input(bad).run()
        assert not at.exception
        assert len(at.error) == 1 and "last valid" in at.error[0].value
        np.testing.assert_array_equal(shown_values(at), expected_values(Params.scalar(), (0, 0.5)))
        assert at.query_params["typed"] == "0, 0.5"  # the link carries the last valid prices, not the bad text


def test_the_link_sets_the_day_shown_and_a_day_beyond_the_end_gets_a_notice():
    assert drawn(app(seq="blue"))["day"] == 9  # the last day, as the link leaves it out
    assert drawn(app(seq="blue", day="7"))["day"] == 7
    at = app(seq="blue", day="40")
    assert drawn(at)["day"] == 9 and any("asks for day 40, but there are 9 days" in c.value for c in at.caption)


def test_a_long_typed_sequence_is_sent_whole_for_one_unit_and_opens_on_the_linked_day():
    at = app(seq="typed", day="500")
    at.text_area(key="typed").input(", ".join(["0.5"] * 1000)).run()
    assert not at.exception
    data = drawn(at)
    assert (data["start"], data["stop"], data["longest"]) == (0, 1000, 1000)
    at = app(seq="typed", typed="0.5*1000", day="500")
    assert drawn(at)["day"] == 500


@pytest.mark.parametrize(
    ("query", "cell", "n", "network", "count"),
    [
        ({"cell": "lstm"}, "lstm", 1, "LSTM", 4 + 4 + 4 + 1 + 1),
        ({"cell": "gru", "units": "3"}, "gru", 3, "GRU", 9 + 27 + 9 + 3 + 3 + 1),
        ({"units": "32", "recipe": "orthogonal", "rho": "1"}, "rnn", 32, "RNN", 32 + 32 * 32 + 32 + 32 + 1),
    ],
)  # fmt: skip  (count: w_x, W_h, b, [b_hn,] w_y, b_y)
def test_the_unroll_page_draws_any_cell_and_its_words_hold_for_it(query, cell, n, network, count):
    at = app(seq="blue", **query)
    assert not at.exception
    data = drawn(at)
    assert (data["cell"], data["n"], data["strip"]) == (cell, n, n > 8)
    words = " ".join(m.value for m in at.markdown)
    assert f"after 9 days the {network} predicts" in words
    assert "With w_h" not in words and "five numbers" not in words  # the one-unit RNN's sentences only hold for it
    assert f"the same {count:,} weights" in words
    p = decoded(data["rows"][0]["values"]["h"])
    assert p.shape == (9, n)


def test_overflow_is_said_not_raised():
    at = app(seq="typed", w_h="3", act="identity")
    at.text_area(key="typed").input(", ".join(["1"] * 800)).run()
    assert not at.exception
    assert any("overflows float64" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"w_h": "banana"}, "w_h=banana"),
        ({"w_h": "nan"}, "w_h=nan"),
        ({"w_h": "1e999"}, "w_h=1e999"),
        ({"act": "softmax"}, "act=softmax"),
        ({"zzz": "1"}, "unknown link parameter `zzz`"),
    ],
)
def test_bad_links_fall_back_with_a_notice(query, fragment):
    at = app(**query)
    assert not at.exception
    assert any(fragment in c.value for c in at.caption)
    np.testing.assert_array_equal(shown_values(at), expected_values(Params.scalar(), BLUE.xs, RED.xs))


def test_a_link_sets_the_weights():
    at = app(w_h="0.9", act="tanh", seq="red")
    np.testing.assert_array_equal(shown_values(at), expected_values(Params.scalar(w_h=0.9, activation="tanh"), RED.xs))


@pytest.mark.parametrize(("case", "prediction"), [("0, 0.5", "0.99"), ("1, 0.5", "0"), ("0.5, 0.5", "0.495")])
def test_statquest_cases_are_one_click_presets(case, prediction):
    at = app()
    next(g for g in at.get("button_group") if g.key == "case").set_value(case).run()
    assert at.text_area(key="typed").value == case
    assert any(f"predicts **{prediction}**" in m.value for m in at.markdown)


def test_the_unroll_words_follow_the_screen():
    at = app()
    intro = at.markdown[0].value if "one day at a time" in at.markdown[0].value else next(
        m.value for m in at.markdown if "one day at a time" in m.value)  # fmt: skip
    assert "read 9 days of the blue company and 5 of the red company" in intro
    assert any("With w_h = −0.5, a high yesterday pulls today *down*." in m.value for m in at.markdown)
    typed = open_app("pages/unroll.py", seq="typed", w_h="0.9")
    words = " ".join(m.value for m in typed.markdown)
    assert "read the 10 days of your prices" in words and "blue company" not in words
    assert "With w_h = 0.9, a high yesterday pushes today *up*." in words and "−0.5" not in words


PAGES = ("pages/unroll.py", "pages/gradients.py", "pages/layer.py", "pages/train.py", "pages/race.py", "pages/why.py",
         "pages/scenarios.py", "pages/quiz.py", "pages/classroom.py", "pages/glossary.py")  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_every_page_links_the_glossary(page, monkeypatch):
    monkeypatch.setattr(race, "STEPS", race.LAP)  # a race of one lap: the link is what this is about
    at = open_app(page)
    assert not at.exception
    assert [link.proto.page for link in at.get("page_link") if link.proto.label == "Glossary"] == ["glossary"]


def test_the_glossary_explains_the_words_of_the_gradient_chart():
    from simulator.gradient_figures import REACH, SERIES

    words = " ".join(m.value for m in open_app("pages/glossary.py").markdown).lower()
    for name in [name for _, name, *_ in SERIES] + [REACH]:
        plain = subscripts(name.split(", ∂")[0]).lower()
        assert f"**{plain}" in words, plain
    assert "seed" not in " ".join(p.title.lower() for p in PRESETS if p.page != "train")


def test_one_typed_price_is_one_day_everywhere():
    at = open_app(seq="typed", typed="0.5")
    text = " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])
    assert not at.exception and "1 days" not in text
    assert "after 1 day the RNN predicts" in text and "1 day." in [c.value for c in at.caption]
    assert charts(at)[0]["layout"]["xaxis"]["dtick"] == 1  # no day 1.5 on the axis


def test_the_one_unit_rnn_is_said_to_have_its_five_weights():
    at = open_app()
    assert any("the same five numbers, w_x, w_h, b, w_y and b_y" in m.value for m in at.markdown)


def test_the_glossary_writes_subscripts_as_subscripts():
    meanings = [m.value.split("**: ", 1)[1] for m in open_app("pages/glossary.py").markdown if "**: " in m.value]
    assert not [m for m in meanings if "_{" in m or "_t" in m]  # no raw h_{t−1} or h_t on screen
    assert any("h<sub>t−1</sub>" in m for m in meanings)
