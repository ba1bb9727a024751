"""Presenter mode's control bar (ui/present.py) through AppTest: the weight picked with its slider, − and +, the cell,
the page menu and Ask first stay while the sidebar is hidden; presenting survives pages and scenarios; the students'
link leaves presenter mode out."""

from urllib.parse import parse_qs, urlsplit

import pytest

from simulator import state
from simulator.presets import PRESETS
from tests.apptest import open_app
from tests.test_app import drawn

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
UNROLL = "pages/unroll.py"


def students_link(at):
    (link,) = [c.value for c in at.code if "present" not in c.value and "?" in c.value][-1:]
    return parse_qs(urlsplit(link).query)


def test_the_bar_nudges_the_weight_picked_and_the_diagram_follows():
    at = open_app(UNROLL, present="on")
    assert not at.exception
    at.button(key="bar·plus").click().run()
    assert at.query_params["w_h"] == "-0.4" and drawn(at)["weights"]["h"]["W_h"] == [[-0.4]]
    at.selectbox(key="bar·weight").set_value("w_x").run()
    at.button(key="bar·minus").click().run()
    assert at.query_params["w_x"] == "1.7" and at.query_params["w_h"] == "-0.4"
    at.slider(key="bar·w_x").set_value(2.5).run()
    assert at.query_params["w_x"] == "2.5" and drawn(at)["weights"]["h"]["w_x"] == [2.5]
    at.selectbox(key="bar·weight").set_value("w_x").run()
    for _ in range(30):  # never beyond the weight's range
        at.button(key="bar·plus").click().run()
    assert at.query_params["w_x"] == repr(state.WEIGHTS[0].hi)
    assert at.session_state["w_x"] == state.WEIGHTS[0].hi  # the hidden sidebar shows the same


def test_the_bar_changes_the_cell_and_turns_ask_first_on():
    at = open_app(UNROLL, present="on")
    at.selectbox(key="bar·cell").set_value("lstm").run()
    assert at.query_params["cell"] == "lstm" and drawn(at)["cell"] == "lstm"
    assert not any(w.key == "bar·weight" for w in at.selectbox)  # the LSTM's weights are not the five
    at.toggle(key="ask·toggle·bar").set_value(True).run()
    assert at.query_params["ask"] == "on" and drawn(at)["hidden"] == 1


def test_the_students_link_is_this_view_without_presenter_mode():
    at = open_app(UNROLL, present="on", w_h="1.1", day="3")
    link = students_link(at)
    assert link == {"w_h": ["1.1"], "day": ["3"]}
    shared = [parse_qs(urlsplit(c.value).query) for c in at.code if "?" in c.value]
    assert len(shared) == 2 and all(s == link for s in shared)  # the share box's link is the students' too
    assert at.query_params["present"] == "on"  # while the address bar keeps presenting on this screen


def test_presenting_stays_on_across_pages_and_into_a_scenario():
    at = open_app(UNROLL, present="on")
    at.switch_page("pages/gradients.py").run()
    assert not at.exception and at.query_params["present"] == "on"
    assert any(b.key == "bar·plus" for b in at.button)
    preset = next(p for p in PRESETS if p.page == "gradients")
    for name in list(at.query_params):
        del at.query_params[name]
    for name, value in state.scenario_query(preset).items():  # the scenario card's link: no present=on in it
        at.query_params[name] = value
    at.run()
    assert not at.exception
    assert at.query_params["present"] == "on" and at.query_params["scenario"] == preset.key


def test_the_page_says_where_the_controls_are():
    words = lambda at: " ".join(m.value for m in at.markdown)  # noqa: E731
    assert "Change w_h in the sidebar" in words(open_app(UNROLL))
    assert "Change w_h in the bar at the top" in words(open_app(UNROLL, present="on"))
