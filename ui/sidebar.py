"""The sidebar controls the pages share: sequence, weights, activation, the network section and the gradient
settings."""

import numpy as np
import streamlit as st

from simulator import network as networks
from simulator import state
from simulator.data import STATQUEST_CASES, Row, chosen, parse_sequence
from simulator.explain import days
from simulator.models.rnn import Params, forward
from ui.link import bound, keep, kept, to_link

ss = st.session_state


SEQUENCE_LABELS = {"blue": "Blue · 9 days", "red": "Red · 5 days", "both": "Both", "typed": "Type your own"}


ACTIVATION_LABELS = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid σ", "identity": "identity (none)"}


STEP = 0.01


def reset_weights():
    """Back to StatQuest's network."""
    for s in (*state.WEIGHTS, state.ACTIVATION):
        keep(s.name, s.default)


def _slid(name):
    keep(name, round(ss[f"{name}·slider"], 2))  # on the 0.01 grid: PageUp and End can land between its steps


def weight(s):
    """A slider for dragging and a box for exact entry, kept in sync; returns the value."""
    ss[f"{s.name}·slider"] = float(np.clip(kept(s.name), s.lo, s.hi))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.slider(s.label, s.lo, s.hi, step=STEP, key=f"{s.name}·slider", help=s.help, on_change=_slid, args=(s.name,))
    return bound(
        right.number_input, s.name, s.label, s.lo, s.hi, step=STEP, format="%.3f", label_visibility="collapsed"
    )


def _show_last_day():
    """The sequence changed: the diagrams start again from their first day shown."""
    keep(state.DAY.name, 0)
    keep(state.BACK.name, 0)


def typed_prices():
    """The typed prices; bad text gets a message and the last valid prices stay."""
    text = bound(
        st.text_area, state.TYPED.name, state.TYPED.label, height=100, on_change=_show_last_day,
        help="Up to 10,000 numbers separated by commas, spaces or new lines; 0.5*100 repeats 0.5 a hundred times.",
    )  # fmt: skip
    ss.setdefault("typed·valid", parse_sequence(state.TYPED.default))
    try:
        ss["typed·valid"], ss["typed·text"] = parse_sequence(text), text
    except ValueError as err:
        st.error(f"{err} Still showing your last valid prices.", icon=":material/error:")
    xs = ss["typed·valid"]
    st.caption(f"{days(len(xs))}.")
    return chosen("typed", xs)


def _case_text(prices):
    return ", ".join(f"{p:g}" for p in prices)


def _use_case():
    """A StatQuest case was picked: type its prices in, then clear the pick."""
    keep(state.SEQUENCE.name, "typed")
    keep(state.TYPED.name, ss["case"])
    ss["case"] = None
    _show_last_day()


def sequences():
    """The chosen sequence(s), each a `Prices`."""
    choice = bound(
        st.segmented_control, state.SEQUENCE.name, state.SEQUENCE.label, state.SEQUENCE.choices,
        format_func=SEQUENCE_LABELS.get, required=True, on_change=_show_last_day,
    )  # fmt: skip
    st.pills(
        "StatQuest's cases (0 = low, 1 = high)", [_case_text(p) for p in STATQUEST_CASES], key="case",
        on_change=_use_case, help="Each is typed into 'Type your own'; StatQuest's network predicts tomorrow.",
    )  # fmt: skip
    if choice == "typed":
        return typed_prices()
    st.caption("Illustrative prices on StatQuest's scale: 0 = low, 0.5 = medium, 1 = high.")
    return chosen(choice)


def one_unit_controls():
    """The one-unit RNN's five weights and activation -> its `Params`."""
    values = {s.name: weight(s) for s in state.WEIGHTS}
    act = activation()
    st.button("Reset to StatQuest's network", on_click=reset_weights, width="stretch")
    return Params.scalar(**values, activation=act)


def activation():
    """The activation menu; returns its name."""
    return bound(
        st.selectbox, state.ACTIVATION.name, state.ACTIVATION.label, state.ACTIVATION.choices,
        format_func=ACTIVATION_LABELS.get,
    )  # fmt: skip


def linked_sidebar(*sections):
    """(title, function) sections in the sidebar; every setting then goes into the link.
    Returns what each function returned."""
    with st.sidebar:
        results = []
        for title, section in sections:
            st.subheader(title)
            results.append(section())
    to_link()
    return results


def _network_section():
    from ui import network_controls  # it builds on this module's widgets

    return network_controls.section()


def sidebar(extra=None, cells=False):
    """Every shared control, in the sidebar, then the page's own (`extra`: a (title, function) section); all go into
    the link. `cells`: the network section (cell, units, W_h recipe) instead of the one-unit RNN's weights.

    Returns (params, rows, what `extra` returned), each row with its forward trace.
    """
    sections = [("Sequence", sequences), ("Network", _network_section) if cells else ("Weights", one_unit_controls)]
    prices, built, *more = linked_sidebar(*sections, *([extra] if extra else []))
    if cells:
        values, params = built
        rows = [Row(s.label, s.color, networks.forward(values, params, s.xs)) for s in prices]
    else:
        params, rows = built, [Row(s.label, s.color, forward(built, s.xs)) for s in prices]
    return params, rows, more[0] if more else None


def clipping_controls():
    """Gradient clipping and its threshold, side by side (the Gradients and Train pages share them)."""
    bound(st.selectbox, state.CLIP.name, state.CLIP.label, state.CLIP.choices,
          format_func={"none": "none", "norm": "by global norm", "value": "by value (±)"}.get)  # fmt: skip
    bound(st.number_input, state.CLIP_AT.name, state.CLIP_AT.label, state.CLIP_AT.lo, state.CLIP_AT.hi, step=0.5)


def gradient_settings():
    """Loss, target, precision and clipping for the Gradients page; returns them by name."""
    bound(st.segmented_control, state.LOSS.name, state.LOSS.label, state.LOSS.choices, required=True,
          format_func=state.loss_labels().get, help=state.LOSS.help)  # fmt: skip
    bound(st.segmented_control, "precision", state.PRECISION.label, state.PRECISION.choices, required=True)
    bound(st.slider, "target", state.TARGET.label, state.TARGET.lo, state.TARGET.hi, step=STEP)
    clipping_controls()
    return {s.name: kept(s.name) for s in state.GRADIENTS}
