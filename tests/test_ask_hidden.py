"""Ask first sends the browser no hidden number: the diagram's payload carries no value of the days that wait (only
their prices), the reveal reruns the page, which sends them, and the question's name gives its answer away to no one
who hashes the choices."""

import hashlib
import json

import numpy as np
import pytest

from simulator import ask, diagram, network, state
from simulator.data import Row
from tests.apptest import open_app
from tests.test_app import drawn
from tests.test_ask import setup

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
UNROLL = "pages/unroll.py"


def numbers(payload):
    """Every number anywhere in the JSON `payload`."""
    if isinstance(payload, dict):
        return [v for x in payload.values() for v in numbers(x)]
    if isinstance(payload, list):
        return [v for x in payload for v in numbers(x)]
    return [payload] if isinstance(payload, float | int) and not isinstance(payload, bool) else []


def tiles(p, rows, days):
    """Every value a tile of `days` (0-based) shows or works from, in every row: each tile, its pre-activation, y."""
    out = []
    for row in rows:
        values, pre, extra = diagram._values(p, row.trace)
        for a in (*values.values(), *pre.values(), *extra.values(), row.trace.y):
            out += np.asarray(a)[[d for d in days if d < len(row.trace.y)]].reshape(-1).tolist()
    return set(out)


@pytest.mark.parametrize("changes", [{}, {"cell": "lstm", "units": "3", "recipe": "radius"}], ids=["rnn", "lstm-3"])
def test_the_payload_of_an_ask_first_run_holds_no_hidden_value(changes):
    at = open_app(UNROLL, ask="on", seq="both", day="3", **changes)
    assert not at.exception
    p, rows = setup(seq="both", **{k: int(v) if v.isdigit() else v for k, v in changes.items()})
    sent = json.loads(json.dumps(drawn(at)))  # as the browser gets it
    assert sent["hidden"] == 3
    given = set(numbers(sent))
    hidden = tiles(p, rows, range(2, 9)) - tiles(p, rows, range(2))  # days 3 on, less any a shown day has too
    assert len(hidden) > 10 and not hidden & given  # none of them is sent
    assert tiles(p, rows, range(2)) <= given | {0.0}  # the days before it are
    assert all(sent["rows"][0]["x"][d] == rows[0].trace.xs[d] for d in range(9))  # every price is given

    at.button(key="ask·reveal").click().run()  # the reveal reruns the page, which sends day 3's numbers
    assert not at.exception and drawn(at)["hidden"] is None
    assert tiles(p, rows, [2]) <= set(numbers(drawn(at)))


def test_a_chunk_that_starts_after_the_day_asked_about_sends_no_memory_before_it():
    v = {s.name: s.default for s in state.SETTINGS.values()} | {"units": 64, "recipe": "radius"}
    p = network.params(v)
    rows = [Row("long", "#000", network.forward(v, p, np.full(3000, 0.5)))]
    data = diagram.forward(p, rows, day=2000, hidden=10)
    row = data["rows"][0]
    assert data["start"] > 10 and row["h0"] == [None] * 64 and row["y_last"] is None
    assert all(v is None for v in row["y"]) and all(v == [None] * 64 for v in row["values"]["h"])
    assert diagram.forward(p, rows, day=2000)["rows"][0]["h0"] == rows[0].trace.s[data["start"], 0, :64].tolist()


def test_the_questions_name_does_not_give_its_answer_away():
    p, rows = setup(seq="blue")
    q = ask.unroll(p, rows, 2)  # even days: up, down or about the same
    assert q.kind == "direction" and q.answer in q.choices
    bare = {hashlib.sha256(f"{q.kind}|{q.prompt}|{c}".encode()).hexdigest()[:16] for c in q.choices}
    assert ask.ident(q) not in bare and ask.ident(q) == ask.ident(ask.unroll(p, rows, 2))


@pytest.mark.parametrize("changes", [{}, {"cell": "lstm", "units": "3", "recipe": "radius"}], ids=["rnn", "lstm-3"])
def test_the_gradients_page_sends_no_gradient_before_the_reveal(changes):
    at = open_app("pages/gradients.py", ask="on", seq="both", **changes)
    assert not at.exception
    sent = drawn(at, "backward")
    dh = [v for row in sent["rows"] for key in ("dh", "dc", "dh_first", "dh_next") for v in numbers(row.get(key, []))]
    assert sent["hidden"] is True and dh == []  # the answer's numbers: none
    assert sent["rows"][0]["factor"] and numbers(sent["rows"][0]["dy"])  # what each step multiplies by is given
    assert not at.get("plotly_chart") and not any("The chain rule" in s.value for s in at.subheader)

    at.button(key="ask·reveal").click().run()
    assert not at.exception and drawn(at, "backward")["hidden"] is None
    revealed = drawn(at, "backward")["rows"][0]
    assert len(numbers(revealed["dh"])) == len(revealed["dh"]) * int(changes.get("units", 1))
    assert any("The chain rule" in s.value for s in at.subheader) and at.get("plotly_chart")


def test_the_gradients_question_of_n_units_is_about_the_step_jacobian_and_r_can_reveal_it():
    at = open_app("pages/gradients.py", ask="on", seq="blue", units="3")
    assert not at.exception
    asking = drawn(at, "backward")["ask"]
    assert asking["on"] and not asking["revealed"] and asking["id"]  # R over the diagram reveals this question
    prompt = next(m.value for m in at.markdown if "Ask first" in m.value)
    assert "step Jacobian" in prompt and "w_h·act′(z) a day" not in prompt
    at.button(key="ask·reveal").click().run()
    dh = drawn(at, "backward")["rows"][0]["dh"]
    size = lambda d: float(np.linalg.norm(dh[d]))  # noqa: E731
    said = " ".join(m.value for m in at.markdown)
    ratio = ask.fmt_log10(np.log10(size(0) / size(8)))
    assert f"‖∂L/∂h₁‖ / ‖∂L/∂h₉‖, what the 8 steps back multiply its size by, = {ratio}" in said
