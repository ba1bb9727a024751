"""The Why LSTM page's controls and cached runs: how many days, which company, the three cells' settings; each
cell's run over the prices cached by the settings it is built from."""

import streamlit as st

from simulator import state, why, why_figures
from simulator.tables import markdown

from . import controls
from .controls import STEP, bound, kept


def _days():
    """T and StatQuest's company, with the page's scenarios."""
    controls.preset_picker("why")
    days = bound(st.segmented_control, state.DAYS.name, state.DAYS.label, state.DAYS.choices, required=True,
                 format_func=lambda d: f"{int(d):,}", help=state.DAYS.help)  # fmt: skip
    company = bound(st.segmented_control, state.COMPANY.name, state.COMPANY.label, state.COMPANY.choices,
                    required=True, format_func=lambda c: f"Company {c}", help=state.COMPANY.help)  # fmt: skip
    return int(days), company


def _cells():
    """Units, seed and the LSTM's forget-gate bias; StatQuest's simple RNN's weights when it is one."""
    bound(st.number_input, state.UNITS.name, state.UNITS.label, state.UNITS.lo, state.UNITS.hi, step=1,
          help=f"{state.UNITS.help} 1: StatQuest's RNN and LSTM; more: each cell starts at random, as training "
          "starts it.")  # fmt: skip
    values = {name: kept(name) for names in why.USES.values() for name in names}
    statquest = why.statquest_lstm(values)
    bound(st.slider, state.FORGET_BIAS.name, state.FORGET_BIAS.label, state.FORGET_BIAS.lo, state.FORGET_BIAS.hi,
          step=STEP, disabled=statquest, help=FORGET_HELP if statquest else state.FORGET_BIAS.help)  # fmt: skip
    if statquest:
        st.caption(FORGET_HELP)
    bound(
        st.number_input,
        state.SEED.name,
        state.SEED.label,
        state.SEED.lo,
        state.SEED.hi,
        step=1,
        help="Draws the GRU's weights (and, with 2 or more units, the LSTM's).",
    )
    if values[state.RECIPE.name] == "statquest":
        st.markdown("**The simple RNN** (StatQuest's unit)")
        controls.network()
    return {name: kept(name) for names in why.USES.values() for name in names}


FORGET_HELP = "StatQuest's LSTM keeps its own forget-gate bias, 1.62: set 2 or more units for this one to act."


def sidebar():
    """Every control in the sidebar (and the link) -> (T, company, the three cells' runs)."""
    (days, company), values = controls.linked_sidebar(("Why LSTM", _days), ("The three cells", _cells))
    return days, company, [run(cell, tuple((name, values[name]) for name in why.USES[cell]), days)
                           for cell in why.CELLS]  # fmt: skip


@st.cache_data(max_entries=3 * 8, show_spinner=False)
def run(cell, settings, days):
    """`why.run` of `cell` with its settings as (name, value) pairs: cached, so 1,000 days cost once."""
    return why.run(cell, dict(settings), days)


def company_table(company):
    st.markdown(markdown(why.company_table(company)))


def one_step_table():
    st.markdown(markdown(why.stage_table({"C = 2, h = 1, x = 1": why.one_step()})))


def gradients(runs):
    controls.chart(why_figures.gradients(runs), key="why·gradients", numbers=why_figures.numbers(runs),
                   alt="For the simple RNN, the LSTM (in all and along its cell path alone) and the GRU, how much of "
                   "a gradient at the last day reaches each earlier day, on a log axis.")  # fmt: skip


def cells(runs):
    controls.chart(why_figures.cells(runs), key="why·cells",
                   alt="Over the same days: each cell's memory h and the LSTM's long-term memory c, then the LSTM's "
                   "and the GRU's gates between 0 and 1.")  # fmt: skip


def clipping():
    st.markdown(markdown(why.clipping_table()))


def race_link():
    """The Race page with this T and seed: the three cells learning to add two prices that far apart."""
    length, seed = kept(state.LENGTH.name), kept(state.SEED.name)
    query = state.to_query({state.LENGTH.name: length, state.SEED.name: seed})
    st.page_link(state.PAGES["race"], label=f"Watch them learn over {length} days: the Race", icon=":material/sprint:",
                 query_params=query)  # fmt: skip
