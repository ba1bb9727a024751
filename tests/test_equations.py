"""Every equation on screen recomputes from the numbers it prints: in the figures' text and in the pages' words,
for several setups and every Unroll and Gradients scenario."""

import json

import pytest

from simulator import state
from simulator.presets import PRESETS
from tests.apptest import open_app
from tests.equations import equations, wrong

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def texts(node):
    """Every string under a 'text' key of a figure's JSON (traces, frames, annotations, titles, ticks)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "ticktext") and isinstance(value, str):
                yield value
            elif key in ("text", "ticktext") and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value)


def shown(at):
    """Every text the page shows: its Markdown, captions, notes and every figure's text, all frames included."""
    words = [e.value for kind in ("markdown", "caption", "info", "warning", "error") for e in getattr(at, kind)]
    figures = [t for chart in at.get("plotly_chart") for t in texts(json.loads(chart.proto.spec))]
    return words + figures


def test_the_parser_catches_an_operand_with_too_few_digits():
    assert wrong("∂L/∂h<sub>3</sub> = −0.01×1.00×(−0.5) = <b>6.1e−3</b>")  # the operand was −0.0122
    assert not wrong("∂L/∂h<sub>3</sub> = −0.0122×1×(−0.5) = <b>6.1e−3</b>")
    assert wrong("h = ReLU(1.8×0.5 + (−0.5)×1.8 + 0) = ReLU(0) = 0.9")
    assert len(equations("0.99¹⁰⁰⁰ = 4.32e−5; 108 × 4.36e−5 = 4.7e−3 and w_h = 0.5")) == 2


SETUPS = [
    ("pages/unroll.py", {}),
    ("pages/unroll.py", dict(act="tanh", w_h="0.73", b="-0.21")),
    ("pages/unroll.py", dict(act="sigmoid", seq="blue", w_x="-1.3")),
    ("pages/gradients.py", {}),
    ("pages/gradients.py", dict(loss="all", act="tanh", w_h="1.37")),
    ("pages/gradients.py", dict(seq="blue", w_h="1.5")),
    ("pages/gradients.py", dict(seq="red", act="sigmoid", precision="float32", target="-0.3")),
    ("pages/gradients.py", dict(seq="typed", typed="0.5*30", w_h="0.99", back="17")),
    ("pages/scenarios.py", {}),
] + [(state.PAGES[p.page], state.scenario_query(p)) for p in PRESETS if p.page in ("unroll", "gradients")]


@pytest.mark.parametrize(("page", "query"), SETUPS, ids=[f"{p.split('/')[-1]}-{q}" for p, q in SETUPS])
def test_every_equation_shown_recomputes_from_its_printed_numbers(page, query):
    at = open_app(page, **query)
    assert not at.exception
    found = [eq for text in shown(at) for eq in equations(text)]
    # it found the equations it checks; the Unroll diagram's are written by its component in the browser, from the
    # operands tests/test_diagram.py recomputes every tile from
    assert len(found) >= (5 if page.endswith("gradients.py") else 0)
    assert [bad for text in shown(at) for bad in wrong(text)] == []
