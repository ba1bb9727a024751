"""The race page's controls: its two settings, and the race itself run lap by lap, each lap cached."""

import streamlit as st

from simulator import race, state
from simulator.race_figures import errors, reach
from simulator.tables import markdown
from ui.charts import chart
from ui.link import bound
from ui.sidebar import linked_sidebar


def _settings():
    length = bound(st.slider, state.LENGTH.name, state.LENGTH.label, state.LENGTH.lo, state.LENGTH.hi, step=10,
                   help=state.LENGTH.help)  # fmt: skip
    seed = bound(st.number_input, state.SEED.name, state.SEED.label, state.SEED.lo, state.SEED.hi, step=1,
                 help=state.SEED.help)  # fmt: skip
    return int(length), int(seed)


def settings():
    """T and the seed, in the sidebar and the link."""
    return linked_sidebar(("The race", _settings))[0]


@st.cache_data(max_entries=3 * race.STEPS // race.LAP, show_spinner=False)
def laps(length, seed, count):
    """The runners after `count` laps, each lap built on the cached one before it: a race seen once replays at
    once, for anyone who opens the same settings."""
    return race.start(length, seed) if count == 0 else race.lap(laps(length, seed, count - 1), length, seed)


@st.cache_data(max_entries=race.STEPS // race.LAP, show_spinner=False)
def reached(length, seed, count):
    """The reach chart and its sentence after `count` laps."""
    runners = laps(length, seed, count)
    return reach(runners, length, seed), race.reach_story(runners, length, seed)


def run(length, seed):
    """Run (or replay) the race, redrawing the chart and the story after every lap; a changed setting stops it."""
    slot, status = st.empty(), st.empty()
    st.subheader("How far back the error reaches")
    back, back_story = st.empty(), st.empty()
    count, runners = 0, laps(length, seed, 0)
    while True:
        with slot.container():
            chart(errors(runners), key=f"race·{count}", alt="Test error of the RNN, the LSTM and the GRU over the "
                  "training steps, on a log axis, with the error of guessing 1 every time and the goal.")  # fmt: skip
            with st.expander("The numbers in this chart"):
                st.markdown(markdown(numbers(runners)))
        done = all(r.done for r in runners)
        status.markdown(race.story(runners) if done else f"Training… {race.story(runners)}")
        if done or count % 4 == 0:  # the reach chart every 200 steps: it costs a backward pass over 100 sequences
            fig, sentence = reached(length, seed, count)
            with back.container():
                chart(fig, key=f"race·reach·{count}", alt="For each cell, with its weights now, how much of the error "
                      "at the answer reaches each day's memory, on a log axis.")  # fmt: skip
            back_story.markdown(f"{sentence} {REACH_NOTE}")
        if done:
            return runners
        count += 1
        runners = laps(length, seed, count)


REACH_NOTE = (
    "Each day back multiplies it again: a cell can only learn to use the first marked price if enough of the error "
    "gets back to the day it came."
)


def numbers(runners):
    """{column: values} of the chart: the step, then each cell's test error (blank once it has stopped)."""
    steps = max((r.steps for r in runners), key=len)
    table = {"step": [f"{s:,}" for s in steps]}
    for r in runners:
        table[race.NAMES[r.cell]] = [f"{e:.4f}" for e in r.tested] + [""] * (len(steps) - len(r.tested))
    return table
