"""The sidebar's network section: the cell, its number of units, how W_h is drawn, and for StatQuest's unit its
five weights. Names, defaults and ranges live in `simulator.state`; the network is built by `simulator.network`.

A layer edited by hand (setting `layer`, see `ui.layer_controls`) holds while the settings it was edited from stay:
any change of them starts again from the recipe's weights.
"""

import streamlit as st

from simulator import layer, network, state
from ui.link import bound, keep, kept
from ui.sidebar import STEP, activation, one_unit_controls

NAMES = [s.name for s in (*state.NETWORK, *state.WEIGHTS, state.ACTIVATION, state.LAYER)]
ss = st.session_state


def values():
    """Every setting the network is built from, by name, as kept."""
    return {name: kept(name) for name in NAMES}


def _edits_hold(v):
    """Drop the layer edited by hand once a setting it was edited from has changed; say when it does not fit."""
    text = v[state.LAYER.name]
    drawn_from = {name: v[name] for name in NAMES if name != state.LAYER.name}
    before = ss.get("layer·from")
    if text and before and before[0] == text and before[1] != drawn_from:
        keep(state.LAYER.name, "")
        v[state.LAYER.name] = text = ""
    ss["layer·from"] = (text, drawn_from)
    rows = network.parse_table(text)
    if rows is not None and (len(rows) != v["units"] or v["cell"] != "rnn"):
        st.caption(
            f":material/warning: The weights typed in the link are for {len(rows)} units of the simple RNN; this is "
            f"{v['units']} of the {network.CELLS[v['cell']]}: showing the recipe's weights."
        )


def section(cell=None):
    """Cell (or the given `cell`, with no menu), units, recipe (rho, seed) or the five weights, activation,
    forget-gate bias, h0 -> (settings, Params)."""
    if cell is None:
        cell = bound(
            st.segmented_control, state.CELL.name, state.CELL.label, state.CELL.choices,
            format_func=network.CELLS.get, required=True, help=state.CELL.help,
        )  # fmt: skip
    n = bound(st.number_input, state.UNITS.name, state.UNITS.label, state.UNITS.lo, state.UNITS.hi, step=1,
              help=state.UNITS.help)  # fmt: skip
    recipe = kept(state.RECIPE.name)
    if cell == "rnn":
        recipe = bound(st.selectbox, state.RECIPE.name, state.RECIPE.label, state.RECIPE.choices,
                       format_func=network.RECIPE_LABELS.get, help=state.RECIPE.help)  # fmt: skip
        if recipe == "trap" and (note := layer.trap_note(n)):
            st.caption(f":material/info: {note}")
        if recipe in network.SCALED:
            bound(st.slider, state.RHO.name, state.RHO.label, state.RHO.lo, state.RHO.hi, step=STEP,
                  help=state.RHO.help)  # fmt: skip
    if cell == "rnn" and recipe == "statquest":
        one_unit_controls()
    elif cell == "rnn" and recipe != "trap":
        activation()
    if cell == "lstm" and not (n == 1 and recipe == "statquest"):
        bound(st.slider, state.FORGET_BIAS.name, state.FORGET_BIAS.label, state.FORGET_BIAS.lo,
              state.FORGET_BIAS.hi, step=STEP, help=state.FORGET_BIAS.help)  # fmt: skip
    if cell != "rnn" or recipe in network.RANDOM:
        bound(st.number_input, state.SEED.name, state.SEED.label, state.SEED.lo, state.SEED.hi, step=1,
              help=state.SEED.help)  # fmt: skip
    if recipe != "trap" or cell != "rnn":
        bound(st.slider, state.H0.name, state.H0.label, state.H0.lo, state.H0.hi, step=STEP, help=state.H0.help)
    else:
        st.caption(":material/info: The trap brings its own h₀, its fixed point: the h₀ slider does not apply.")
    v = {**values(), "cell": cell}
    _edits_hold(v)
    return v, network.params(v)
