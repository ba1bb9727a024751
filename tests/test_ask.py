"""Ask first: the question about the day on screen (simulator.ask) and the Unroll page hiding its answers until the
reveal (AppTest). The browser's "?" tiles and the R and Q keys: tests/test_browser.py."""

import numpy as np
import pytest

from simulator import ask, diagram, network, questions, state
from simulator.data import BLUE, RED, Row
from simulator.explain import fmt, trend
from tests.apptest import charts, open_app
from tests.test_app import drawn

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
UNROLL = "pages/unroll.py"


def setup(**changes):
    v = {s.name: s.default for s in state.SETTINGS.values()} | changes
    p = network.params(v)
    rows = [Row(c.label, c.color, network.forward(v, p, np.array(c.xs))) for c in (BLUE, RED)]
    return p, rows


def test_the_one_unit_rnn_is_asked_todays_memory_and_the_answer_is_the_traces():
    p, rows = setup()
    tr = rows[0].trace
    q = ask.unroll(p, rows, 3)
    assert q.kind == "next_h" and q.numeric
    assert q.answer == tr.h[2, 0]
    assert f"h₂ = {fmt(tr.h[1, 0])}" in q.prompt and f"x₃ = {fmt(BLUE.xs[2])}" in q.prompt
    assert q.equation.endswith(f"= {fmt(tr.h[2, 0])}")
    assert questions.verdict(q, questions.checked(q, str(tr.h[2, 0] + 10 * q.tolerance))).points == 0
    assert questions.verdict(q, questions.checked(q, str(tr.h[2, 0]))).points == 1


def test_day_one_starts_from_the_memory_before_it():
    p, rows = setup(h0=0.5)
    q = ask.unroll(p, rows, 1)
    assert "h₀ = 0.5" in q.prompt and "(−0.5) × 0.5" in q.equation  # w_h × h₀
    assert q.answer == rows[0].trace.h[0, 0]


@pytest.mark.parametrize(("cell", "units"), [("rnn", 1), ("rnn", 12), ("lstm", 1), ("gru", 3)])
def test_every_cell_is_asked_where_its_prediction_goes_and_the_answer_is_the_pages_trend(cell, units):
    p, rows = setup(cell=cell, units=units)
    q = ask.unroll(p, rows, 4)
    tr = rows[0].trace
    assert q.kind == "direction" and q.choices == (ask.UP, ask.DOWN, ask.SAME)
    assert q.answer == trend(BLUE.xs[3], tr.y[3])
    assert f"= {fmt(tr.y[3])}: {q.answer}" in q.equation


@pytest.mark.parametrize(("cell", "units"), [("rnn", 12), ("lstm", 1), ("gru", 3)])
def test_any_other_network_is_asked_its_prediction_on_odd_days(cell, units):
    p, rows = setup(cell=cell, units=units)
    q = ask.unroll(p, rows, 3)
    assert q.kind == "next_y" and q.numeric and q.answer == rows[0].trace.y[2]
    assert q.equation.endswith(f"= {fmt(rows[0].trace.y[2])}")


def test_a_day_only_the_longer_row_has_is_asked_about_that_row():
    p, rows = setup()
    q = ask.unroll(p, rows, 7)
    assert q.prompt.startswith(f"**{BLUE.label}, day 7.**")


def test_an_overflowed_day_asks_whether_it_stays_a_number():
    v = {s.name: s.default for s in state.SETTINGS.values()} | {"act": "identity", "w_h": 3.0}
    p = network.params(v)
    rows = [Row("Long", "#000", network.forward(v, p, np.ones(700)))]
    q = ask.unroll(p, rows, 700)
    assert q.kind == "overflow" and q.answer == ask.OVERFLOWS and "∞" in q.equation
    assert ask.unroll(p, rows, 2).kind == "direction"  # still a number on day 2


def test_a_question_keeps_its_name_and_another_gets_another():
    p, rows = setup()
    assert ask.ident(ask.unroll(p, rows, 3)) == ask.ident(ask.unroll(p, rows, 3))
    assert ask.ident(ask.unroll(p, rows, 3)) != ask.ident(ask.unroll(p, rows, 5))
    p2, rows2 = setup(w_h=0.3)
    assert ask.ident(ask.unroll(p, rows, 3)) != ask.ident(ask.unroll(p2, rows2, 3))


def test_the_forward_payload_says_which_day_waits():
    p, rows = setup()
    assert diagram.forward(p, rows, 3)["hidden"] is None
    assert diagram.forward(p, rows, 3, hidden=3)["hidden"] == 3


# ---- the page ------------------------------------------------------------------------------------------------------


def words(at):
    return " ".join(m.value for m in (*at.markdown, *at.caption, *at.success, *at.info))


def test_ask_first_hides_the_predictions_the_chart_and_the_numbers_until_revealed():
    at = open_app(UNROLL, ask="on", seq="blue", day="3")
    assert not at.exception
    tr = setup(seq="blue")[1][0].trace
    assert drawn(at)["hidden"] == 3 and drawn(at)["ask"]["on"] and not drawn(at)["ask"]["revealed"]
    assert "What is today's memory h₃?" in words(at)
    assert "predicts" not in words(at)  # the prediction sentence waits
    assert charts(at) == []  # the chart over time waits
    assert not any(e.label == "The numbers in this chart" for e in at.expander)
    assert fmt(tr.h[2, 0]) not in words(at)

    q = ask.unroll(*setup(seq="blue"), 3)
    at.text_input(key="ask·number").input("0.6")
    next(b for b in at.button if b.label == "Guess").click().run()
    assert "Your guess: **" in words(at)
    at.button(key="ask·reveal").click().run()
    assert not at.exception
    assert drawn(at)["hidden"] is None and drawn(at)["ask"]["revealed"]
    assert f"The answer: {fmt(tr.h[2, 0])}" in words(at)
    assert f"= ReLU({fmt(tr.z[2, 0])}) = {fmt(tr.h[2, 0])}" in words(at)  # the equation that answers it
    assert f"You guessed 0.6. {questions.verdict(q, '0.6').sentence}" in words(at)
    assert "Close: the answer is 0.562; you were off by 0.0375" in words(at)
    assert "predicts" in words(at) and len(charts(at)) == 1


def test_a_choice_is_a_guess_and_the_next_day_is_a_new_question_that_waits():
    at = open_app(UNROLL, ask="on", seq="blue", day="2")
    assert "up**, **down** or **about the same" in words(at)
    answer = trend(BLUE.xs[1], setup(seq="blue")[1][0].trace.y[1])
    wrong = next(c for c in (ask.UP, ask.DOWN, ask.SAME) if c != answer)
    at.button(key=f"ask·choice·{(ask.UP, ask.DOWN, ask.SAME).index(wrong)}").click().run()
    at.button(key="ask·reveal").click().run()
    assert f"You guessed {wrong}. Not quite: the answer is {answer}." in words(at)
    at.query_params["day"] = "3"  # the next day, as the component's → sends it
    at.run()
    assert drawn(at)["hidden"] == 3 and "What is today's memory h₃?" in words(at)


def test_the_toggle_turns_it_on_from_day_1_into_the_link_and_off_again():
    at = open_app(UNROLL, seq="blue")
    assert drawn(at)["hidden"] is None and len(charts(at)) == 1
    at.toggle(key="ask·toggle").set_value(True).run()
    assert at.query_params["ask"] == "on" and at.query_params["day"] == "1"
    assert drawn(at)["hidden"] == 1 and drawn(at)["day"] == 1
    at.toggle(key="ask·toggle").set_value(False).run()
    assert "ask" not in at.query_params and drawn(at)["hidden"] is None and len(charts(at)) == 1


def gradients_page():
    """What pages/gradients.py's headline needs from Ask first: `for bp in ask.shown("gradients", passes):`."""
    import numpy as np
    import streamlit as st

    from simulator.data import Row
    from simulator.gradients import backprop, headline
    from simulator.models import rnn
    from ui import ask
    from ui.link import keep

    if "started" not in st.session_state:  # a fresh session with ask=on (and present=on, if asked) in its link
        st.session_state.started = True
        keep("ask", "on")
        keep("present", st.session_state.get("presenting", "off"))
    p = rnn.Params.scalar(1.8, 0.5, 0.0, 1.1, 0.0, "relu")
    xs = np.full(30, 0.5)
    passes = [backprop(p, Row("Blue company", "#000", rnn.forward(p, xs)), target=1.0)]
    with st.sidebar:
        ask.toggle()
    for bp in ask.shown("gradients", passes):
        st.markdown(headline(bp))


def test_the_gradients_headline_waits_for_its_question():
    from streamlit.testing.v1 import AppTest

    from simulator.gradients import backprop
    from simulator.models import rnn

    at = AppTest.from_function(gradients_page).run()
    assert not at.exception
    p = rnn.Params.scalar(1.8, 0.5, 0.0, 1.1, 0.0, "relu")
    bp = backprop(p, Row("Blue company", "#000", rnn.forward(p, np.full(30, 0.5))), target=1.0)
    assert bp.reach[0] < -3  # 0.5^30: it vanishes
    assert "Does it vanish, explode, or neither?" in words(at) and "multiplied by **" not in words(at)
    at.button(key="ask·choice·1").click().run()  # explodes
    at.button(key="ask·reveal").click().run()
    assert f"You guessed {questions.EXPLODE}. Not quite: the answer is {questions.VANISH}." in words(at)
    assert "multiplied by **" in words(at)
    at.toggle(key="ask·toggle").set_value(False).run()
    assert "Does it vanish" not in words(at) and "multiplied by **" in words(at)


def train_page():
    """What pages/train.py's result needs from Ask first: `if ask.shown("train", (setup, run)):` above its headline."""
    from types import SimpleNamespace

    import numpy as np
    import streamlit as st

    from ui import ask
    from ui.link import keep

    if "started" not in st.session_state:
        st.session_state.started = True
        keep("ask", "on")
    setup = SimpleNamespace(settings={"lr": 0.3, "optimizer": "adam"})
    run = SimpleNamespace(loss=np.geomspace(0.4, 0.01, 301), diverged=None)
    with st.sidebar:
        ask.toggle()
    if ask.shown("train", (setup, run)):
        st.markdown("In 300 epochs the loss fell from **0.4** to **0.01**")


def test_the_training_result_waits_for_its_question():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(train_page).run()
    assert not at.exception
    assert "300 epochs of Adam at a learning rate of 0.3, from a loss of 0.4" in words(at)
    assert "the loss fell" not in words(at)
    at.button(key="ask·choice·1").click().run()  # falls, but less than 10x
    at.button(key="ask·reveal").click().run()
    assert f"The answer: {ask.TENFOLD}" in words(at) and "40× smaller" in words(at)
    assert f"You guessed {ask.LESS}. Not quite" in words(at) and "the loss fell" in words(at)


@pytest.mark.parametrize(
    ("loss", "diverged", "answer"),
    [([1.0, 0.2], None, ask.LESS), ([1.0, 0.1], None, ask.TENFOLD), ([1.0, 1.5], None, ask.WORSE),
     ([1.0, 0.01], 7, ask.WORSE)],
)  # fmt: skip
def test_the_training_answer_is_the_runs(loss, diverged, answer):
    q = ask.training({"lr": 1, "optimizer": "sgd"}, np.array(loss), diverged)
    assert q.answer == answer and "gradient descent" in q.prompt
    assert ("overflowed float64 at epoch 7" in q.equation) == (diverged is not None)


def test_presenting_the_gradients_page_puts_a_toggle_beside_the_question():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(gradients_page)
    assert [t.key for t in at.run().sidebar.toggle] == ["ask·toggle"] and not at.main.toggle
    at = AppTest.from_function(gradients_page)
    at.session_state["presenting"] = "on"
    at.run()
    assert not at.exception and [t.key for t in at.main.toggle] == ["ask·toggle·here"]  # the sidebar is hidden


@pytest.mark.parametrize(("page", "waiting"), [("pages/train.py", "training"), ("pages/gradients.py", None)])
def test_the_real_pages_wait_for_the_reveal(page, waiting):
    """The hooks on the real pages: with ask=on the headline (and on Train the run's chart) waits; Reveal shows them."""
    from tests.apptest import open_app

    at = open_app(page, ask="on")
    keys = lambda: [c.proto.id for c in at.get("plotly_chart")]  # noqa: E731
    assert not at.exception and at.button(key="ask·reveal")
    headline = "the loss fell" if waiting else "the error signal is multiplied by **"
    assert headline not in words(at).lower()
    hidden_before = [k for k in keys() if waiting and waiting in k]
    at.button(key="ask·reveal").click().run()
    assert not at.exception and "The answer:" in words(at)
    assert headline in words(at).lower()
    assert not hidden_before and (not waiting or any(waiting in k for k in keys()))


def test_the_train_page_sends_nothing_of_the_run_before_the_reveal():
    at = open_app("pages/train.py", ask="on", lr="10")
    text = words(at)
    assert not at.exception and "Until then the run's headline, its chart, its weights" in text
    assert (
        not charts(at)
        and "The weights" not in [h.value for h in at.subheader]
        and "Epoch " not in text
        and " steps" not in text
    )
    assert not [b for b in at.button if b.key and b.key.startswith("carry·")]  # nor the buttons that carry them
    at.button(key="ask·reveal").click().run()
    assert charts(at) and "The weights" in [h.value for h in at.subheader]
