"""The Why LSTM page through AppTest, from the entry point: StatQuest's numbers on screen, the three cells at each T,
the forget-gate bias, the scenarios and bad links."""

import numpy as np
import pytest

from simulator import state, why
from simulator.presets import BY_KEY
from tests.apptest import charts, open_app, tables
from tests.spec import array

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PAGE = "pages/why.py"
DEFAULTS = {name: s.default for name, s in state.SETTINGS.items()}


def words(at):
    return " ".join(m.value for m in at.markdown)


def expected(T, **settings):
    return [why.read(cell, {**DEFAULTS, **settings}, T) for cell in why.CELLS]


def test_statquests_numbers_are_on_screen():
    at = open_app(PAGE)
    assert not at.exception
    said = words(at)
    assert "company A [0, 0.5, 0.25, 1] ends with h = **0.0064**" in said
    assert "company B [1, 0.5, 0.25, 1] ends with h = **0.969**" in said
    assert "C′ = **2.948** and h′ = **0.986**" in said
    days, step, _ = tables(at)[2:]  # after the two charts' tables
    assert days["stage"][0] == "% of long-term memory to remember" and days["stage"][-1] == "short-term memory h"
    assert days["day 4 · x = 1"][-1].endswith("= 0.0064")
    assert step["C = 2, h = 1, x = 1"][-2].endswith("= 2.948") and step["C = 2, h = 1, x = 1"][-1].endswith("= 0.986")


def test_company_b_is_one_click_away():
    at = open_app(PAGE)
    at.segmented_control(key="company").set_value("B").run()
    assert not at.exception and at.query_params["company"] == "B"
    assert tables(at)[2]["day 4 · x = 1"][-1].endswith("= 0.969")


@pytest.mark.parametrize("T", [9, 100, 1000])
def test_each_T_shows_the_cores_gradients_and_sentences(T):
    at = open_app(PAGE, days=str(T))
    assert not at.exception
    rs = expected(T)
    gradients, cells = charts(at)
    np.testing.assert_array_equal(array(gradients["data"][1]["y"]), rs[1].reach)
    np.testing.assert_array_equal(array(gradients["data"][2]["y"]), rs[1].cell_path)
    assert len(array(cells["data"][0]["x"])) == T
    said = words(at)
    for sentence in (why.reach_sentence(rs), why.forget_sentence(rs[1]), why.cells_sentence(rs)):
        assert sentence in said
    assert f"How far the gradient reaches back over {T:,} days" in [s.value for s in at.subheader]


def test_the_forget_gate_bias_acts_from_two_units_on():
    at = open_app(PAGE, days="100")
    assert at.slider(key="forget_bias").disabled  # StatQuest's LSTM keeps its own bias
    at.number_input(key="units").set_value(16).run()
    assert not at.slider(key="forget_bias").disabled
    at.slider(key="forget_bias").set_value(0.65).run()
    assert not at.exception and at.query_params["forget_bias"] == "0.65"
    rs = expected(100, units=16, forget_bias=0.65)
    np.testing.assert_array_equal(array(charts(at)[0]["data"][2]["y"]), rs[1].cell_path)
    assert "vanishes as well" in why.forget_sentence(rs[1]) and why.forget_sentence(rs[1]) in words(at)


def test_changing_the_rnns_feedback_weight_changes_only_the_rnn():
    at = open_app(PAGE)
    before = charts(at)[0]["data"]
    at.number_input(key="w_h").set_value(0.9).run()
    after = charts(at)[0]["data"]
    assert not at.exception
    np.testing.assert_array_equal(array(after[0]["y"]), expected(9, w_h=0.9)[0].reach)
    assert after[1] == before[1] and after[3] == before[3]


@pytest.mark.parametrize("key", ["why-statquest", "why-100-days", "why-forget-0.7", "why-race-50"])
def test_each_scenario_opens_with_its_story(key):
    preset = BY_KEY[key]
    at = open_app(PAGE, **state.scenario_query(preset))
    assert not at.exception
    (box,) = at.info
    assert preset.title in box.value and why.story(preset) in box.value


def test_the_race_link_carries_the_race_length_and_seed():
    at = open_app(PAGE, length="100", seed="3")
    (link,) = [p for p in at.get("page_link") if p.proto.page == "race"]
    assert "over 100 days: the Race" in link.proto.label and link.proto.query_string == "length=100&seed=3"
    (default,) = [p for p in open_app(PAGE).get("page_link") if p.proto.page == "race"]
    assert "over 50 days" in default.proto.label and default.proto.query_string == ""


def test_a_bad_link_is_a_notice_and_the_page_still_draws():
    at = open_app(PAGE, days="50", company="C")
    assert not at.exception and len(charts(at)) == 2
    notices = [c.value for c in at.caption if "Ignored" in c.value]
    assert any("days must be one of 9, 100, 1000" in n for n in notices)
    assert any("company must be one of A, B" in n for n in notices)


def test_the_page_links_the_glossary_and_is_in_the_navigation():
    at = open_app(PAGE, present="on")
    assert not at.exception
    assert [link.proto.page for link in at.get("page_link") if link.proto.label == "Glossary"] == ["glossary"]
