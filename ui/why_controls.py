"""The Why LSTM page's controls and cached views: how many days, which company, the three cells' settings. Each
cell's reading is cached by the settings it is built from, and each section's figure and words by all of them, so a
rerun over 1,000 days only sends what is already worked out."""

import streamlit as st

from simulator import state, why, why_figures
from simulator.figures import Figure
from simulator.tables import markdown
from ui.charts import chart
from ui.link import bound, kept
from ui.scenarios import preset_picker
from ui.sidebar import STEP, linked_sidebar, one_unit_controls

FORGET_HELP = "StatQuest's LSTM keeps its own forget-gate bias, 1.62: set 2 or more units for this one to act."
ENTRIES = 16  # views kept per cached function


def _days():
    """T and StatQuest's company, with the page's scenarios."""
    preset_picker("why")
    days = bound(st.segmented_control, state.DAYS.name, state.DAYS.label, state.DAYS.choices, required=True,
                 format_func=lambda d: f"{int(d):,}", help=state.DAYS.help)  # fmt: skip
    company = bound(st.segmented_control, state.COMPANY.name, state.COMPANY.label, state.COMPANY.choices,
                    required=True, format_func=lambda c: f"Company {c}", help=state.COMPANY.help)  # fmt: skip
    return int(days), company


def _settings():
    """The three cells' settings: (cell, ((name, value), ...)) each, as the cache keys them."""
    return tuple((cell, tuple((name, kept(name)) for name in why.USES[cell])) for cell in why.CELLS)


def _cells():
    """Units, seed and the LSTM's forget-gate bias; StatQuest's simple RNN's weights when it is one."""
    bound(st.number_input, state.UNITS.name, state.UNITS.label, state.UNITS.lo, state.UNITS.hi, step=1,
          help=f"{state.UNITS.help} 1: StatQuest's RNN and LSTM; more: each cell starts at random, as training "
          "starts it.")  # fmt: skip
    statquest = why.statquest_lstm({name: kept(name) for name in why.USES["lstm"]})
    bound(st.slider, state.FORGET_BIAS.name, state.FORGET_BIAS.label, state.FORGET_BIAS.lo, state.FORGET_BIAS.hi,
          step=STEP, disabled=statquest, help=FORGET_HELP if statquest else state.FORGET_BIAS.help)  # fmt: skip
    if statquest:
        st.caption(FORGET_HELP)
    bound(st.number_input, state.SEED.name, state.SEED.label, state.SEED.lo, state.SEED.hi, step=1,
          help="Draws the GRU's weights (and, with 2 or more units, the LSTM's).")  # fmt: skip
    if kept(state.RECIPE.name) == "statquest":
        st.markdown("**The simple RNN** (StatQuest's unit)")
        one_unit_controls()
    return _settings()


def sidebar():
    """Every control in the sidebar (and the link) -> (T, company, the three cells' settings)."""
    (days, company), settings = linked_sidebar(("Days and company", _days), ("The three cells", _cells))
    return days, company, settings


@st.cache_data(max_entries=3 * ENTRIES, show_spinner=False)
def _run(cell, settings, days):
    """`why.read` of `cell` with its settings as (name, value) pairs."""
    return why.read(cell, dict(settings), days)


def _readings(settings, days):
    return [_run(cell, named, days) for cell, named in settings]


@st.cache_data(max_entries=ENTRIES, show_spinner=False)
def _gradients(settings, days):
    readings = _readings(settings, days)
    numbers = markdown(why_figures.numbers(readings))
    return (
        why_figures.gradients(readings).to_dict(),
        numbers,
        why.reach_sentence(readings),
        why.forget_sentence(readings[1]),
    )


def gradients(settings, days):
    """The gradient chart (its numbers in an expander) and what it says."""
    spec, numbers, reach, forget = _gradients(settings, days)
    chart(Figure(spec), key="why·gradients", alt="For the simple RNN, the LSTM (in all and along its cell "
          "path alone) and the GRU, how much of a gradient at the last day reaches each earlier day, on a "
          "log axis.")  # fmt: skip
    with st.expander("The numbers in this chart"):
        st.markdown(numbers)
    st.markdown(reach)
    st.markdown(forget)


@st.cache_data(max_entries=ENTRIES, show_spinner=False)
def _cells_view(settings, days):
    readings = _readings(settings, days)
    numbers = markdown(why_figures.cells_numbers(readings))
    return why_figures.cells(readings).to_dict(), numbers, why.cells_sentence(readings)


def cells(settings, days):
    """The three cells' memories and gates over the same days (their numbers in an expander), and what they did."""
    spec, numbers, sentence = _cells_view(settings, days)
    chart(Figure(spec), key="why·cells", alt="Over the same days: each cell's memory h and the LSTM's "
          "long-term memory c, then the LSTM's and the GRU's gates between 0 and 1.")  # fmt: skip
    with st.expander("The numbers in this chart"):
        st.markdown(numbers)
    st.markdown(sentence)


@st.cache_data(max_entries=2, show_spinner=False)
def _statquest(company):
    step = markdown(why.stage_table({"C = 2, h = 1, x = 1": why.one_step()}))
    return markdown(why.company_table(company)), why.companies_sentence(), why.one_step_sentence(), step


def statquest(company):
    """Company `company`'s days, every stage's equation in its numbers; how both companies end; the one step."""
    table, companies, one_step, step = _statquest(company)
    st.markdown(table)
    st.markdown(companies)
    st.markdown(one_step)
    st.markdown(step)


def clipping_section():
    """The core's clipping on an exploded and a vanished gradient, and why."""
    st.markdown(markdown(why.clipping_table()))
    st.markdown(why.clipping_sentence())


def race_link():
    """The Race page with this T and seed: the three cells learning to add two prices that far apart."""
    length, seed = kept(state.LENGTH.name), kept(state.SEED.name)
    query = state.to_query({state.LENGTH.name: length, state.SEED.name: seed})
    st.page_link(state.PAGES["race"], label=f"Watch them learn over {length} days: the Race", icon=":material/sprint:",
                 query_params=query)  # fmt: skip
