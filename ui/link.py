"""The session's settings and the link.

Each setting's one source of truth is `st.session_state["kept"][<name>]`: seeded once from the link, shown by
its widget (keyed `<name>`), kept across pages (Streamlit drops a widget's own state when a page without it
runs) and written back to the link after every run. Names, defaults, ranges and the link codec live in
`simulator.state`.
"""

from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.state import get_session_state

from simulator import state

ss = st.session_state


def _kept():
    """Every kept setting, in one dict: each key in session state makes every widget call slower (Streamlit
    copies the whole state for each widget)."""
    return ss.setdefault("kept", {})


def kept(name):
    """The session's value of setting `name`: its default until set. A setting whose default differs by page stays
    unset until set, so each page shows its own default."""
    values, setting = _kept(), state.SETTINGS[name]
    if setting.pages and name not in values:
        return setting.default_on(ss.get("link·page"))
    return values.setdefault(name, setting.default)


def keep(name, value):
    _kept()[name] = value


def bound(widget, name, *args, on_change=None, **kwargs):
    """`widget(*args, **kwargs)` showing setting `name`: seeded from the kept value, writing changes back. A value
    its browser sent from a session this server never had (`from_link`: the browser reconnected here after its
    replica died) is what the user sees and has just changed: it wins over the link, which is a run behind."""
    sent = name in ss.get("link·sent", ())
    if not sent:
        ss[name] = kept(name)

    def changed():
        keep(name, ss[name])
        if on_change:
            on_change()

    value = widget(*args, key=name, on_change=changed, **kwargs)
    if sent and value != kept(name):  # the change came with no callback: this session had no such widget yet
        changed()
    return kept(name)


def _apply(values):
    """A whole setup: every setting back to its default, then `values`; views that depend on it start over."""
    _kept().clear()
    _kept().update(values)
    for key in ("typed·valid", "typed·text", "upload·series", "train·run"):
        ss.pop(key, None)


def from_link(page):
    """Take the setup from the link to `page` when the session starts, and again when a new link arrives (a
    scenario's, or one edited by hand): a link is a whole setup. Returns the link's notices, one per bad parameter.

    Also notes which widgets' values came from a browser whose session this server never had (Streamlit keeps them
    unread, without the widget's metadata, until the widget is drawn): `bound` lets those through."""
    states = get_session_state()._state._new_widget_state  # no public API tells a reconnected browser's states
    if sent := {i.rsplit("-", 1)[-1] for i in states.states if i not in states.widget_metadata}:
        ss["link·sent"] = sent
    else:  # as a rule: no key, since number_input and slider copy the whole session state each (Streamlit 1.67)
        ss.pop("link·sent", None)
    ss["link·page"] = page
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    if "link·notices" not in ss or (query and query != ss.get("link·written")):
        values, ss["link·notices"] = state.from_query(query, page)
        _apply(values)
    return ss["link·notices"]


def link_values():
    """Every kept setting the link carries, typed prices as last parsed (so a link never carries bad text)."""
    settings = _kept()
    values = {name: settings[name] for name in state.SETTINGS if name in settings}
    if "typed·text" in ss:
        values[state.TYPED.name] = ss["typed·text"]
    return values


def page_query(values):
    """The link of `values` on the page on screen: the settings that differ from their defaults there."""
    return state.to_query(values, ss.get("link·page"))


def to_link():
    """Every setting into the link (typed prices as last parsed, so a link never carries bad text), and the link
    into the share box."""
    values = link_values()
    query = page_query(values)
    st.query_params.from_dict(query)
    ss["link·written"] = {k: [v] for k, v in query.items()}
    if slot := ss.get("share·slot"):
        with slot.container(), st.popover("Share this view", icon=":material/link:", width="content"):
            st.caption(
                "The link holds this whole setup; anyone who opens it sees these numbers, with the sidebar "
                "(presenter mode stays on this screen). Copy it with the button at the box's right."
            )
            st.code(share_url(shared(query)), language=None, wrap_lines=True)
            for sentence in state.left_out(values):
                st.caption(f":material/warning: {sentence}")


def shared(query):
    """`query` as a link for others: presenter mode and the teacher's key stay on this screen."""
    return {k: v for k, v in query.items() if k not in (state.PRESENT.name, state.TEACHER.name)}


def share_url(query):
    """This page's address in the browser with `query` as its link."""
    base = (st.context.url or "").split("?")[0].split("#")[0]
    return f"{base}?{urlencode(query)}" if query else base
