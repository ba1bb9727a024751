"""The sidebar controls the pages share (sequence, weights, activation), the page-specific ones, and the day shown.

Each setting's one source of truth is `st.session_state["kept"][<name>]`: seeded once from the link, shown by
its widget (keyed `<name>`), kept across pages (Streamlit drops a widget's own state when a page without it
runs) and written back to the link after every run. Names, defaults, ranges and the link codec live in
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


def _kept():
    """Every kept setting, in one dict: each key in session state makes every widget call slower (Streamlit
    copies the whole state for each widget)."""
    return ss.setdefault("kept", {})


def kept(name):
    """The session's value of setting `name` (its default until set)."""
    return _kept().setdefault(name, state.SETTINGS[name].default)


def keep(name, value):
    _kept()[name] = value


def bound(widget, name, *args, on_change=None, **kwargs):
    """`widget(*args, **kwargs)` showing setting `name`: seeded from the kept value, writing changes back."""
    ss[name] = kept(name)

    def changed():
        keep(name, ss[name])
        if on_change:
            on_change()

    widget(*args, key=name, on_change=changed, **kwargs)
    return kept(name)


def from_link():
    """Once per session, take the settings from the link; every run, say what the link got wrong."""
    if "link·notices" not in ss:
        values, ss["link·notices"] = state.from_query({k: st.query_params.get_all(k) for k in st.query_params})
        for name, value in values.items():
            keep(name, value)
    for notice in ss["link·notices"]:
        st.caption(f"⚠️ {notice}")


def to_link():
    """Every setting into the link; typed prices as last parsed, so a link never carries bad text."""
    settings = _kept()
    values = {name: settings[name] for name in state.SETTINGS if name in settings}
    if "typed·text" in ss:
        values[state.TYPED.name] = ss["typed·text"]
    st.query_params.from_dict(state.to_query(values))


def reset_weights():
    """Back to StatQuest's network."""
    for s in (*state.WEIGHTS, state.ACTIVATION):
        keep(s.name, s.default)


def _slid(name):
    keep(name, ss[f"{name}·slider"])


def weight(s):
    """A slider for dragging and a box for exact entry, kept in sync; returns the value."""
    ss[f"{s.name}·slider"] = float(np.clip(kept(s.name), s.lo, s.hi))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.slider(s.label, s.lo, s.hi, step=STEP, key=f"{s.name}·slider", help=s.help, on_change=_slid, args=(s.name,))
    return bound(
        right.number_input, s.name, s.label, s.lo, s.hi, step=STEP, format="%.3f", label_visibility="collapsed"
    )


def _show_last_day():
    for key in ("day", "day·back"):
        ss.pop(key, None)


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
        st.error(f"{err} Still showing your last valid prices.", icon="⚠️")
    xs = ss["typed·valid"]
    st.caption(f"{len(xs):,} days.")
    return [("Your prices", TYPED_COLOR, xs)]


def _case_text(prices):
    return ", ".join(f"{p:g}" for p in prices)


def _use_case():
    """A StatQuest case was picked: type its prices in, then clear the pick."""
    keep(state.SEQUENCE.name, "typed")
    keep(state.TYPED.name, ss["case"])
    ss["case"] = None
    _show_last_day()


def sequences():
    """The chosen sequence(s) as (label, colour, prices)."""
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
    return [(c.label, c.color, np.array(c.xs)) for c in {"blue": [BLUE], "red": [RED], "both": [BLUE, RED]}[choice]]


def network():
    """Weights and activation -> `Params` of the one-unit network."""
    values = {s.name: weight(s) for s in state.WEIGHTS}
    activation = bound(
        st.selectbox, state.ACTIVATION.name, state.ACTIVATION.label, state.ACTIVATION.choices,
        format_func=ACTIVATION_LABELS.get,
    )  # fmt: skip
    st.button("Reset to StatQuest's network", on_click=reset_weights, width="stretch")
    return Params.scalar(**values, activation=activation)


def linked_sidebar(*sections):
    """(title, function) sections in the sidebar, under the link's notices; every setting then goes into the link.
    Returns what each function returned."""
    with st.sidebar:
        from_link()
        results = []
        for title, section in sections:
            st.subheader(title)
            results.append(section())
    to_link()
    return results


def sidebar(extra=None):
    """Every shared control, in the sidebar, then the page's own (`extra`: a (title, function) section); all go into
    the link.

    Returns (params, rows, what `extra` returned), each row with its forward trace.
    """
    sections = [("Sequence", sequences), ("Weights", network)]
    chosen, params, *more = linked_sidebar(*sections, *([extra] if extra else []))
    return params, [Row(label, color, forward(params, xs)) for label, color, xs in chosen], more[0] if more else None


def _use_preset(presets):
    """A preset was picked: type its prices in, set its weights (the rest back to StatQuest's)."""
    preset = presets[ss["preset"]]
    reset_weights()
    for name, value in preset.weights.items():
        keep(name, value)
    keep(state.SEQUENCE.name, "typed")
    keep(state.TYPED.name, preset.prices)
    _show_last_day()


def preset_picker(presets):
    """A menu of one-click scenarios; returns the one whose setup is on screen now, or None."""
    by_key = {p.key: p for p in presets}
    st.selectbox(
        "Scenarios", list(by_key), key="preset", index=None, placeholder="Pick a scenario…",
        format_func=lambda k: by_key[k].title, on_change=_use_preset, args=(by_key,),
    )  # fmt: skip
    shown = by_key.get(ss.get("preset"))
    if not shown or kept(state.SEQUENCE.name) != "typed" or kept(state.TYPED.name) != shown.prices:
        return None
    return shown if all(kept(k) == v for k, v in shown.weights.items()) else None


def gradient_settings():
    """Loss, target, precision and clipping for the Gradients page; returns them by name."""
    left, right = st.columns(2)
    with left:
        bound(st.segmented_control, "loss", state.LOSS.label, state.LOSS.choices, required=True,
              format_func={"last": "tomorrow only", "all": "every day"}.get)  # fmt: skip
    with right:
        bound(st.segmented_control, "precision", state.PRECISION.label, state.PRECISION.choices, required=True)
    bound(st.slider, "target", state.TARGET.label, state.TARGET.lo, state.TARGET.hi, step=STEP)
    left, right = st.columns(2)
    with left:
        bound(st.selectbox, "clip", state.CLIPPING.label, state.CLIPPING.choices,
              format_func={"none": "none", "norm": "by global norm", "value": "by value (±)"}.get)  # fmt: skip
    with right:
        bound(st.number_input, "clip_at", state.CLIP_AT.label, state.CLIP_AT.lo, state.CLIP_AT.hi, step=0.5)
    return {s.name: kept(s.name) for s in state.GRADIENTS}


def _move_day(key, delta, days):
    ss[key] = int(np.clip(ss[key] + delta, 1, days))


def day_picker(days, key="day", start="last"):
    """◀ day ▶ (and a slider for long sequences): the day the diagram shows, returned 0-based.

    The arrow keys step too; `start` is the day shown first ('last', or 'first' for the backward pass).
    """
    ss.setdefault(key, days if start == "last" else 1)
    ss[key] = int(np.clip(ss[key], 1, days))
    back, middle, ahead = st.columns([1, 6, 1], vertical_alignment="bottom")
    back.button(
        "◀ day", on_click=_move_day, args=(key, -1, days), shortcut="ArrowLeft", width="stretch",
        disabled=ss[key] <= 1, help="Previous day (← key)",
    )  # fmt: skip
    ahead.button(
        "day ▶", on_click=_move_day, args=(key, 1, days), shortcut="ArrowRight", width="stretch",
        disabled=ss[key] >= days, help="Next day (→ key)",
    )  # fmt: skip
    if days > WINDOW:
        middle.slider(f"Jump to day (the diagram shows {WINDOW} days at a time)", 1, days, key=key)
    return ss[key] - 1
