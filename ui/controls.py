"""The sidebar controls every page shares (sequence, weights, activation) and the day being shown.

One source of truth per setting: `st.session_state[name]`, seeded once from the link, kept across pages and
written back to the link after every run. Names, defaults, ranges and the link codec live in
`simulator.state`.
"""

import numpy as np
import streamlit as st

from simulator import state
from simulator.data import BLUE, RED, STATQUEST_CASES, TYPED_COLOR, parse_sequence
from simulator.figures import WINDOW, Row
from simulator.rnn import Params, forward

SEQUENCE_LABELS = {"blue": "Blue · 9 days", "red": "Red · 5 days", "both": "Both", "typed": "Type your own"}
ACTIVATION_LABELS = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid σ", "identity": "identity (none)"}
STEP = 0.01
ss = st.session_state


def _from_link():
    """Once per session, take the settings from the link; every run, say what the link got wrong."""
    if "link·notices" not in ss:
        values, ss["link·notices"] = state.from_query({k: st.query_params.get_all(k) for k in st.query_params})
        ss.update(values)
    for notice in ss["link·notices"]:
        st.caption(f"⚠️ {notice}")


def _to_link():
    """Write every setting into the link; typed prices as last parsed, so a link never carries bad text."""
    values = {name: ss[name] for name in state.SETTINGS if name in ss}
    if "typed·text" in ss:
        values[state.TYPED.name] = ss["typed·text"]
    st.query_params.from_dict(state.to_query(values))


def _init(name, value):
    if name not in ss:
        ss[name] = value


def reset_weights():
    """Back to StatQuest's network."""
    for s in (*state.WEIGHTS, state.ACTIVATION):
        ss[s.name] = s.default


def _copy(src, dst):
    ss[dst] = ss[src]


def weight(s):
    """A slider for dragging and a box for exact entry, kept in sync; returns the value."""
    slider_key = f"{s.name}·slider"
    _init(s.name, s.default)
    ss[slider_key] = float(np.clip(ss[s.name], s.lo, s.hi))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.slider(s.label, s.lo, s.hi, step=STEP, key=slider_key, help=s.help, on_change=_copy, args=(slider_key, s.name))
    right.number_input(
        s.label, s.lo, s.hi, step=STEP, format="%.3f", key=s.name, label_visibility="collapsed", persist_state="session"
    )
    return ss[s.name]


def _show_last_day():
    ss.pop("day", None)


def _typed():
    """The typed prices; bad text gets a message and the last valid prices stay."""
    _init(state.TYPED.name, state.TYPED.default)
    _init("typed·valid", parse_sequence(state.TYPED.default))
    text = st.text_area(
        state.TYPED.label, key=state.TYPED.name, height=100, persist_state="session", on_change=_show_last_day,
        help="Up to 10,000 numbers separated by commas, spaces or new lines.",
    )  # fmt: skip
    try:
        ss["typed·valid"], ss["typed·text"] = parse_sequence(text), text
    except ValueError as err:
        st.error(f"{err} Still showing your last valid prices.", icon="⚠️")
    xs = ss["typed·valid"]
    st.caption(f"{len(xs):,} days.")
    return [("Your prices", TYPED_COLOR, xs)]


def _case_text(prices):
    return ", ".join(f"{p:g}" for p in prices)


def _use_case():
    """A StatQuest case was picked: type its prices in, then clear the pick."""
    ss[state.SEQUENCE.name], ss[state.TYPED.name] = "typed", ss["case"]
    ss["case"] = None
    _show_last_day()


def sequences():
    """The chosen sequence(s) as (label, colour, prices)."""
    _init(state.SEQUENCE.name, state.SEQUENCE.default)
    choice = st.segmented_control(
        state.SEQUENCE.label, state.SEQUENCE.choices, key=state.SEQUENCE.name, format_func=SEQUENCE_LABELS.get,
        required=True, persist_state="session", on_change=_show_last_day,
    )  # fmt: skip
    st.pills(
        "StatQuest's cases (0 = low, 1 = high)", [_case_text(p) for p in STATQUEST_CASES], key="case",
        on_change=_use_case, help="Each is typed into 'Type your own'; StatQuest's network predicts tomorrow.",
    )  # fmt: skip
    if choice == "typed":
        return _typed()
    st.caption("Illustrative prices on StatQuest's scale: 0 = low, 0.5 = medium, 1 = high.")
    return [(c.label, c.color, np.array(c.xs)) for c in {"blue": [BLUE], "red": [RED], "both": [BLUE, RED]}[choice]]


def network():
    """Weights and activation -> `Params` of the one-unit network."""
    _init(state.ACTIVATION.name, state.ACTIVATION.default)
    values = {s.name: weight(s) for s in state.WEIGHTS}
    activation = st.selectbox(
        state.ACTIVATION.label, state.ACTIVATION.choices, key=state.ACTIVATION.name,
        format_func=ACTIVATION_LABELS.get, persist_state="session",
    )  # fmt: skip
    st.button("Reset to StatQuest's network", on_click=reset_weights, width="stretch")
    return Params.scalar(**values, activation=activation)


def sidebar():
    """Every shared control, in the sidebar; returns (params, rows) with each row's forward trace."""
    with st.sidebar:
        _from_link()
        st.subheader("Sequence")
        chosen = sequences()
        st.subheader("Weights")
        params = network()
    _to_link()
    return params, [Row(label, color, forward(params, xs)) for label, color, xs in chosen]


def _move_day(delta, days):
    ss.day = int(np.clip(ss.day + delta, 1, days))


def day_picker(days):
    """◀ day ▶ and a slider: the day the diagram shows (returned 0-based); the arrow keys step too."""
    _init("day", days)
    ss.day = int(np.clip(ss.day, 1, days))
    back, middle, ahead = st.columns([1, 6, 1], vertical_alignment="bottom")
    back.button(
        "◀ day", on_click=_move_day, args=(-1, days), shortcut="ArrowLeft", width="stretch",
        disabled=ss.day <= 1, help="Previous day (← key)",
    )  # fmt: skip
    ahead.button(
        "day ▶", on_click=_move_day, args=(1, days), shortcut="ArrowRight", width="stretch",
        disabled=ss.day >= days, help="Next day (→ key)",
    )  # fmt: skip
    if days > WINDOW:
        middle.slider(f"Jump to day (the diagram shows {WINDOW} days at a time)", 1, days, key="day")
    return ss.day - 1
