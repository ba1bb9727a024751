"""Links are input: every hostile link gets notices and defaults; every valid setup survives link -> page -> link."""

from urllib.parse import parse_qs

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import network, state
from simulator.data import parse_sequence
from simulator.presets import PRESETS
from tests.apptest import open_app
from tests.hostile_links import LINKS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
TITLES = {"unroll": "Unroll an RNN", "gradients": "Backpropagation through time", "train": "Train it"}


@pytest.mark.parametrize(("name", "page", "query", "bad"), LINKS, ids=[link[0] for link in LINKS])
def test_a_hostile_link_gets_a_notice_per_bad_parameter_and_the_defaults(name, page, query, bad):
    params = parse_qs(query, keep_blank_values=True, errors="replace")
    at = open_app(state.PAGES[page], **params)
    assert not at.exception
    assert at.title[0].value == TITLES[page]  # never a blank page
    notices = " ".join(c.value for c in at.caption if c.value.startswith(":material/warning:"))
    for parameter in bad:
        assert f"`{parameter[:40]}" in notices, parameter
    kept = at.session_state["kept"]
    for parameter in bad:
        if parameter in state.SETTINGS:
            assert kept.get(parameter, state.SETTINGS[parameter].default) == state.SETTINGS[parameter].default


def test_many_bad_parameters_are_summed_up_in_one_line():
    at = open_app(**{f"junk{i}": "1" for i in range(50)})
    notices = [c.value for c in at.caption if c.value.startswith(":material/warning:")]
    assert len(notices) == state.MAX_NOTICES and "and 43 more" in notices[-1]


def _value(setting):
    """Any valid value of `setting`."""
    if setting.choices:
        return st.sampled_from(setting.choices)
    if setting is state.LAYER:  # a table of n units, n + 3 weights a row
        weights = st.floats(-100, 100, allow_nan=False).map(lambda x: round(x, 3))
        return st.integers(1, 3).flatmap(
            lambda n: st.lists(weights, min_size=n * (n + 3), max_size=n * (n + 3)).map(
                lambda xs: network.table(np.reshape(xs, (n, n + 3)))
            )
        )
    if setting.check:
        prices = st.lists(st.floats(-10, 10).map(lambda x: round(x, 3)), min_size=1, max_size=20)
        return prices.map(lambda xs: ", ".join(f"{x:g}" for x in xs))
    if isinstance(setting.default, int):
        return st.integers(int(setting.lo), int(setting.hi))
    return st.floats(setting.lo, setting.hi, allow_nan=False)


SETUPS = st.fixed_dictionaries({name: _value(s) for name, s in state.SETTINGS.items()})


@pytest.mark.parametrize("page", [None, "gradients", "train"])
@given(values=SETUPS)
def test_any_valid_setup_round_trips_through_a_link_exactly(page, values):
    query = state.to_query(values, page)
    back, notices = state.from_query({k: [v] for k, v in query.items()}, page)
    assert not notices
    assert {**{n: s.default_on(page) for n, s in state.SETTINGS.items()}, **back} == values


@pytest.mark.parametrize("page", ["unroll", "gradients", "train", "scenarios"])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=SETUPS)
def test_every_page_writes_back_the_link_it_was_opened_with(page, values):
    values = {**values, "epochs": min(values["epochs"], 50), "day": 0, "back": 0, "epoch": -1}  # past the end: a notice
    if values["data"] == "upload":  # an upload cannot travel in a link
        values["data"] = "stock"
    if values["from"] >= values["to"]:
        values["from"], values["to"] = state.START.default, state.END.default
    if len(parse_sequence(values["typed"])) < 2:
        values["typed"] = state.TYPED.default
    query = state.to_query(values, page)
    at = open_app({**state.PAGES, "scenarios": "pages/scenarios.py"}[page], **query)
    assert not at.exception
    assert not [c.value for c in at.caption if c.value.startswith(":material/warning: Ignored")]
    written = {k: at.query_params[k] for k in at.query_params}
    expected = dict(query)
    if values["scenario"]:  # a scenario's name stays only while its settings are unchanged
        expected.pop("scenario")
        written.pop("scenario", None)
    assert written == expected


def test_every_scenario_link_is_valid():
    for preset in PRESETS:
        _, notices = state.from_query({k: [v] for k, v in state.scenario_query(preset).items()})
        assert not notices, preset.key


def test_the_share_box_says_what_a_link_cannot_carry():
    assert state.left_out({"typed": "0.5, " * 799, "seq": "typed"}) == []
    assert state.left_out({"typed": "0.5, " * 801, "seq": "blue"}) == []  # not in use
    (long,) = state.left_out({"typed": "0.5, " * 801, "data": "typed"})
    assert "longer than 4,000 characters" in long
    at = open_app("pages/train.py", data="upload")
    assert not at.exception
    assert any("An uploaded file cannot travel in a link" in c.value for c in at.caption)
    assert not any("cannot travel" in c.value for c in open_app("pages/train.py").caption)


def _loss(at):
    return at.segmented_control(key="loss")


def test_the_loss_is_one_choice_that_each_page_defaults_its_own_way():
    at = open_app("pages/gradients.py")
    assert _loss(at).value == "last"  # the seed's question: how the error on tomorrow reaches back
    at.switch_page("pages/train.py").run()
    assert _loss(at).value == "all" and "loss" not in at.query_params  # training learns every next week
    _loss(at).set_value("last").run()
    assert at.query_params["loss"] == "last"
    at.switch_page("pages/gradients.py").run()
    assert _loss(at).value == "last" and "loss" not in at.query_params
    assert any("back from tomorrow's prediction to day 1" in m.value for m in at.markdown)
    _loss(at).set_value("all").run()
    assert any("back from every day's prediction, each from its own day, to day 1" in m.value for m in at.markdown)
    at.switch_page("pages/train.py").run()
    assert _loss(at).value == "all" and not at.exception


def test_an_old_link_with_the_trains_task_still_opens_its_setup():
    at = open_app("pages/train.py", task="last")
    assert not at.exception and _loss(at).value == "last"
    assert not [c.value for c in at.caption if c.value.startswith(":material/warning:")]
    assert at.query_params["loss"] == "last" and "task" not in at.query_params
    _, notices = state.from_query({"task": ["last"], "loss": ["all"]}, "train")
    assert len(notices) == 2 and all("by its name and by its old name; using 'all'" in n for n in notices)


@pytest.mark.parametrize(
    ("page", "query", "said"),
    [
        (None, {"day": "50"}, "asks for day 50, but there are 9 days; showing day 9"),
        (None, {"seq": "red", "day": "7"}, "asks for day 7, but there are 5 days; showing day 5"),
        ("pages/gradients.py", {"back": "50"}, "asks for day 50, but there are 9 days; showing day 1"),
        ("pages/train.py", {"epoch": "4000"}, "asks for epoch 4,000, but the run has 300; showing the last"),
    ],
)
def test_a_day_or_epoch_past_the_end_gets_a_notice_and_leaves_the_link(page, query, said):
    at = open_app(page, **query)
    assert any(said in c.value for c in at.caption if c.value.startswith(":material/warning:"))
    assert not set(query) - {"seq"} & set(at.query_params)  # the link no longer asks for it


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"from": "2030-01-01"}, "from must be one of 105 values: 2018-01-01, 2018-01-08, "),
        ({"scenario": "nope"}, f"one of {len(state.SCENARIO.choices)} values: '' (none), blue-vs-red, "),
        ({"class": "12"}, "class must be between 100,000 and 999,999); using no class."),
        ({"teacher": "123"}, "teacher must be between 1,000,000,000,000,000 and 9,007,199,254,740,991); using no key."),
        ({"day": "-1"}, "using the last day."),
    ],
)
def test_a_notice_says_what_a_value_must_be_in_a_line_and_what_its_default_means(query, said):
    (notice,) = state.from_query({k: [v] for k, v in query.items()})[1]
    assert said in notice and len(notice) < 240
