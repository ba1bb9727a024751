"""The unrolled diagram as a component: `simulator.diagram` sends the numbers, `ui/diagram/diagram.js` draws and plays
them in the browser (no server round trip a step), and the day the user stops on comes back so the link keeps it."""

from functools import partial
from pathlib import Path

import streamlit as st

from simulator import state
from simulator.tables import markdown
from ui import ask, download
from ui.link import keep, kept, to_link
from ui.present import high_contrast

FILES = Path(__file__).with_suffix("")  # ui/diagram/: the component's JS and CSS, read once, no build step
_component = st.components.v2.component(
    "unrolled.diagram",
    js=(FILES / "diagram.js").read_text(encoding="utf-8"),
    css=(FILES / "diagram.css").read_text(encoding="utf-8"),
    isolate_styles=False,
)


def day_shown(name, days, first):
    """The day (1-based) setting `name` keeps (0: `first`); a link asking for a day beyond `days` gets a notice."""
    day = kept(name) or first
    if day > days:
        st.caption(f":material/warning: The link asks for day {day}, but there are {days} days; showing day {first}.")
        keep(name, 0)
        to_link()  # the link, written before the days were known, no longer asks for it
        day = first
    return day


def _stopped(key, name, days, first):
    """The browser says which day the diagram `key` stopped on: keep it (0 for `first`), ignore anything else."""
    day = (st.session_state.get(key) or {}).get("day")
    if isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= days:
        keep(name, 0 if day == first else day)


def show(payload, key, name, first, alt, numbers=None, asking=None):
    """The diagram of `payload` (`simulator.diagram.forward` or `.backward`) under `key`, its day kept as setting
    `name` (0 meaning day `first`); then the table of its numbers for screen readers. `asking`: Ask first's state
    (`ui.ask.component`), so R reveals and Q switches the mode."""
    present, contrast = kept(state.PRESENT.name) == "on", high_contrast()
    data = {**payload, "present": present, "contrast": contrast, "alt": alt, "ask": asking}
    heard = {f"on_{what}_change": partial(ask.heard_in, key, what) for what in ("reveal", "ask")} if asking else {}
    _component(key=key, data=data, on_day_change=partial(_stopped, key, name, payload["longest"], first), **heard)
    download.buttons(key, "the diagram")
    if numbers:
        with st.expander("The numbers in this chart"):
            st.markdown(markdown(numbers))
