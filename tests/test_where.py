"""The words follow the mode (issue 15): presenting, no sentence sends the class to the hidden sidebar without
saying so; what the bar holds is said to be in the bar."""

import re

import pytest

from simulator.explain import network_note
from tests.apptest import open_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
HIDDEN = "in the sidebar (turn presenter mode off to see it)"


def words(at):
    """Every sentence the page shows: Markdown, captions and notices."""
    return " ".join(e.value for kind in ("markdown", "caption", "info") for e in getattr(at, kind))


def test_the_network_note_says_where_it_is_told():
    assert network_note("rnn", 1).endswith("with the weights in the sidebar.")
    assert network_note("rnn", 1, "in the bar at the top").endswith("with the weights in the bar at the top.")
    assert network_note("lstm", 4, network_at=HIDDEN).startswith(f"This page shows the network set {HIDDEN}, ")


@pytest.mark.parametrize(
    "page, said",
    [
        ("pages/gradients.py", ("with the weights in the bar at the top", f"*by value* {HIDDEN} to see")),
        ("pages/layer.py", (f"Pick a recipe for W_h {HIDDEN}",)),
        ("pages/train.py", (f"the settings {HIDDEN}, then press",)),
    ],
)
def test_presenting_the_page_says_where_its_controls_are(page, said):
    shown, presenting = words(open_app(page)), words(open_app(page, present="on"))
    for sentence in said:
        assert sentence in presenting
        assert sentence.replace(HIDDEN, "in the sidebar").replace("the bar at the top", "the sidebar") in shown
    assert "presenter mode off" not in shown
    assert all(
        presenting[m.start() :].startswith(HIDDEN) for m in re.finditer("in the sidebar", presenting)
    )  # every mention of the sidebar says it is hidden
