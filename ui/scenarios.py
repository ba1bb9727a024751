"""The scenario on screen, setting one up, and the menu of a page's scenarios."""

import streamlit as st

from simulator import state
from simulator.presets import BY_KEY, PRESETS
from ui.link import _apply, keep, kept

ss = st.session_state


def scenario(page):
    """The scenario on screen, if its settings are all still as it set them and this is its page; else None."""
    preset = BY_KEY.get(kept(state.SCENARIO.name))
    if preset is None or preset.page != page:
        return None
    if any(kept(name) != value for name, value in state.scenario_settings(preset).items() if name != "present"):
        keep(state.SCENARIO.name, "")  # changed since: the link no longer names it
        return None
    return preset


def use_scenario(preset):
    """Set up `preset` (presenter mode stays as it is)."""
    _apply({**state.scenario_settings(preset), state.PRESENT.name: kept(state.PRESENT.name)})


def _picked():
    use_scenario(BY_KEY[ss["preset"]])


def preset_picker(page):
    """A menu of `page`'s one-click scenarios."""
    mine = [p.key for p in PRESETS if p.page == page]
    ss["preset"] = kept(state.SCENARIO.name) if kept(state.SCENARIO.name) in mine else None
    st.selectbox("Scenarios", mine, key="preset", index=None, placeholder="Pick a scenario…",
                 format_func=lambda k: BY_KEY[k].title, on_change=_picked)  # fmt: skip
