"""Presenter mode's slim control bar, in place of the hidden sidebar: the page, the weight picked with its slider and
− / + (also the − and + keys), the cell, Ask first, and the students' link (this view without `present=on`).

Every control here writes the same kept setting as its twin in the sidebar (`ui.sidebar`), which still runs while
hidden, so leaving presenter mode finds the sidebar as the bar left it.
"""

from pathlib import Path

import numpy as np
import streamlit as st

from simulator import network, state
from ui import ask
from ui.link import keep, kept, link_values, page_query, share_url, shared
from ui.sidebar import STEP

PAGES = {  # page: (script, title); the pages a class is shown
    "unroll": ("pages/unroll.py", "Unroll"),
    "gradients": ("pages/gradients.py", "Gradients"),
    "layer": ("pages/layer.py", "Layer"),
    "train": ("pages/train.py", "Train"),
    "race": ("pages/race.py", "Race"),
    "why": ("pages/why.py", "Why LSTM"),
    "scenarios": ("pages/scenarios.py", "Scenarios"),
    "quiz": ("pages/quiz.py", "Quiz"),
    "class": ("pages/classroom.py", "Class"),
}
WEIGHTED = ("unroll", "gradients")  # pages whose network has the five one-unit weights
NUDGE = 0.1  # what − and + change the picked weight by
WEIGHT_NAMES = {s.name: s for s in state.WEIGHTS}
FILES = Path(__file__).parent
HTML = "<script>{}</script><style>{}</style>".format(  # the − + keys, and the bar's own (smaller) text
    (FILES / "present.js").read_text(encoding="utf-8"), (FILES / "present.css").read_text(encoding="utf-8")
)
ss = st.session_state


def where(in_bar=True):
    """Where a page's controls are, for its sentences: 'in the sidebar', or, presenting, 'in the bar at the top'
    (`in_bar`: the bar has the control) or the hidden sidebar, said so."""
    if kept(state.PRESENT.name) != "on":
        return "in the sidebar"
    return "in the bar at the top" if in_bar else "in the sidebar (turn presenter mode off to see it)"


def high_contrast():
    """Whether pages and charts go dark with high contrast: the setting on, or left to the browser (auto) and the
    browser preferring dark (Streamlit's `st.context.theme` reports the preference, though this app's theme is
    fixed light)."""
    chosen = kept(state.CONTRAST.name)
    return chosen == "on" or (chosen == "auto" and st.context.theme.type == "dark")


def students_link():
    """This view's link for the class: every setting as kept, presenter mode and the teacher's key left out."""
    return share_url(shared(page_query(link_values())))


def _nudged(name, by):
    s = WEIGHT_NAMES[name]
    keep(name, float(np.clip(round(kept(name) + by, 2), s.lo, s.hi)))


def _slid(name):
    keep(name, round(ss[f"bar·{name}"], 2))


def _celled():
    keep(state.CELL.name, ss["bar·cell"])


def _weight_controls(page):
    picked = ss.setdefault("bar·weight", "w_h")
    with st.container(width=110):
        st.selectbox("Weight", tuple(WEIGHT_NAMES), key="bar·weight", label_visibility="collapsed",
                     help="The weight the slider, − and + change")  # fmt: skip
    picked = ss["bar·weight"] or picked
    s = WEIGHT_NAMES[picked]
    ss[f"bar·{picked}"] = float(np.clip(kept(picked), s.lo, s.hi))
    with st.container(width=170):
        st.slider(s.label, s.lo, s.hi, step=STEP, key=f"bar·{picked}", on_change=_slid, args=(picked,),
                  label_visibility="collapsed", help=s.help)  # fmt: skip
    st.button("−", key="bar·minus", on_click=_nudged, args=(picked, -NUDGE), help=f"{picked} − {NUDGE:g} (− key)")
    st.button("+", key="bar·plus", on_click=_nudged, args=(picked, NUDGE), help=f"{picked} + {NUDGE:g} (+ key)")


def bar(page):
    """The control bar on `page` while presenting (under the presenter toggle; `HTML` goes with it)."""
    with st.container(horizontal=True, vertical_alignment="center", key="present·bar", gap="small"):
        title = PAGES.get(page, (None, page.title()))[1]
        with st.popover(title, icon=":material/menu:", help="Another page (presenter mode stays on)"):
            for key, (script, label) in PAGES.items():
                st.page_link(script, label=label, disabled=key == page)
        if page == "unroll":
            ss["bar·cell"] = kept(state.CELL.name)
            with st.container(width=160):
                st.selectbox("Cell", state.CELL.choices, key="bar·cell", format_func=network.CELLS.get,
                             on_change=_celled, label_visibility="collapsed")  # fmt: skip
        if page in WEIGHTED and _one_unit(page):
            _weight_controls(page)
        if page == "unroll":  # the other pages that ask put their toggle beside what they hide (`ui.ask.shown`)
            ask.toggle(key="ask·toggle·bar")
        from ui.header import contrast_toggle  # the header draws this bar

        contrast_toggle("contrast·toggle·bar", ":material/contrast:")  # an icon: the bar fits one line at 1280 px
        with st.popover("Students' link", icon=":material/group:"):
            st.caption("This view for the class: the same setup, with the sidebar (no presenter mode).")
            st.code(students_link(), language=None, wrap_lines=True)


def _one_unit(page):
    """True where the five weights are the network's: StatQuest's one-unit RNN (any unit count off Unroll)."""
    if page != "unroll":
        return True
    return kept(state.CELL.name) == "rnn" and kept(state.RECIPE.name) == "statquest"
