"""The sidebar's network section: the cell, its number of units, how W_h is drawn, and for StatQuest's unit its
five weights. Names, defaults and ranges live in `simulator.state`; the network is built by `simulator.network`."""

import streamlit as st

from simulator import network, state
from ui import controls
from ui.controls import STEP, bound, kept

NAMES = [s.name for s in (*state.NETWORK, *state.WEIGHTS, state.ACTIVATION)]


def values():
    """Every setting the network is built from, by name, as kept."""
    return {name: kept(name) for name in NAMES}


def section():
    """Cell, units, recipe (rho, seed) or the five weights, activation, forget-gate bias, h0 -> (settings, Params)."""
    cell = bound(
        st.segmented_control, state.CELL.name, state.CELL.label, state.CELL.choices, format_func=network.CELLS.get,
        required=True, help=state.CELL.help,
    )  # fmt: skip
    n = bound(st.number_input, state.UNITS.name, state.UNITS.label, state.UNITS.lo, state.UNITS.hi, step=1,
              help=state.UNITS.help)  # fmt: skip
    recipe = kept(state.RECIPE.name)
    if cell == "rnn":
        recipe = bound(st.selectbox, state.RECIPE.name, state.RECIPE.label, state.RECIPE.choices,
                       format_func=network.RECIPE_LABELS.get, help=state.RECIPE.help)  # fmt: skip
        if recipe in network.SCALED:
            bound(st.slider, state.RHO.name, state.RHO.label, state.RHO.lo, state.RHO.hi, step=STEP,
                  help=state.RHO.help)  # fmt: skip
    if cell == "rnn" and recipe == "statquest":
        controls.network()
    elif cell == "rnn" and recipe != "trap":
        controls.activation()
    if cell == "lstm" and not (n == 1 and recipe == "statquest"):
        bound(st.slider, state.FORGET_BIAS.name, state.FORGET_BIAS.label, state.FORGET_BIAS.lo,
              state.FORGET_BIAS.hi, step=STEP, help=state.FORGET_BIAS.help)  # fmt: skip
    if cell != "rnn" or recipe in network.RANDOM:
        bound(st.number_input, state.SEED.name, state.SEED.label, state.SEED.lo, state.SEED.hi, step=1,
              help=state.SEED.help)  # fmt: skip
    if recipe != "trap" or cell != "rnn":
        bound(st.slider, state.H0.name, state.H0.label, state.H0.lo, state.H0.hi, step=STEP, help=state.H0.help)
    v = values()
    return v, network.params(v)
