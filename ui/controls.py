"""The sidebar controls the pages share (sequence, weights, activation), the page-specific ones, and the day shown.

Each setting's one source of truth is `st.session_state["kept"][<name>]`: seeded once from the link, shown by
its widget (keyed `<name>`), kept across pages (Streamlit drops a widget's own state when a page without it
runs) and written back to the link after every run. Names, defaults, ranges and the link codec live in
`simulator.state`.
"""

from functools import partial
from urllib.parse import urlencode

import numpy as np
import streamlit as st
from streamlit.runtime.state import get_session_state

from simulator import network as networks
from simulator import state
from simulator.data import BLUE, RED, STATQUEST_CASES, TYPED_COLOR, parse_sequence
from simulator.figures import Row, projected, same_but_shown, shown_frame
from simulator.models.rnn import Params, forward
from simulator.presets import BY_KEY, PRESETS
from simulator.stories import story
from simulator.tables import markdown

GLOSSARY = "pages/glossary.py"
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


def from_link():
    """Take the setup from the link when the session starts, and again when a new link arrives (a scenario's, or
    one edited by hand): a link is a whole setup. Returns the link's notices, one per bad parameter.

    Also notes which widgets' values came from a browser whose session this server never had (Streamlit keeps them
    unread, without the widget's metadata, until the widget is drawn): `bound` lets those through."""
    states = get_session_state()._state._new_widget_state  # no public API tells a reconnected browser's states
    if sent := {i.rsplit("-", 1)[-1] for i in states.states if i not in states.widget_metadata}:
        ss["link·sent"] = sent
    else:  # as a rule: no key, since number_input and slider copy the whole session state each (Streamlit 1.67)
        ss.pop("link·sent", None)
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    if "link·notices" not in ss or (query and query != ss.get("link·written")):
        values, ss["link·notices"] = state.from_query(query)
        _apply(values)
    return ss["link·notices"]


def to_link():
    """Every setting into the link (typed prices as last parsed, so a link never carries bad text), and the link
    into the share box."""
    settings = _kept()
    values = {name: settings[name] for name in state.SETTINGS if name in settings}
    if "typed·text" in ss:
        values[state.TYPED.name] = ss["typed·text"]
    query = state.to_query(values)
    st.query_params.from_dict(query)
    ss["link·written"] = {k: [v] for k, v in query.items()}
    if slot := ss.get("share·slot"):
        with slot.container(), st.popover("Share this view", icon=":material/link:", width="content"):
            st.caption("The link holds this whole setup; anyone who opens it sees these numbers. Copy it with the "
                       "button at the box's right.")  # fmt: skip
            st.code(share_url(query), language=None, wrap_lines=True)
            for sentence in state.left_out(values):
                st.caption(f":material/warning: {sentence}")


def share_url(query):
    """This page's address in the browser with `query` as its link."""
    base = (st.context.url or "").split("?")[0].split("#")[0]
    return f"{base}?{urlencode(query)}" if query else base


PRESENTER_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"] {display: none !important;}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {font-size: 1.4rem !important;}
[data-testid="stCaptionContainer"] {font-size: 1.15rem !important;}
.block-container, [data-testid="stMainBlockContainer"] {max-width: 100% !important; padding-top: 1rem !important;}
</style>"""


def _presenting():
    keep(state.PRESENT.name, "on" if ss["present·toggle"] else "off")


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


KEYS_JS = """<script>
if (!window.unrolledKeys) {  // once per browser tab: P or K plays and pauses the page's first animation (a replay)
  window.unrolledKeys = true;
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (!["p", "P", "k", "K"].includes(e.key) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
    const gd = document.querySelector(".js-plotly-plot");
    const want = gd && gd.unrolledPlaying ? "Pause" : "Play";
    const button = gd && [...gd.querySelectorAll(".updatemenu-button")].find((b) => b.textContent.includes(want));
    if (!button) return;
    if (!gd.unrolledListening) {
      gd.unrolledListening = true;
      gd.on("plotly_animated", () => { gd.unrolledPlaying = false; });
    }
    gd.unrolledPlaying = want === "Play";
    button.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    e.preventDefault();
  });
}
</script>"""


FRAME_JS = """export default function ({data, setTriggerValue}) {
  // The frame chart `data.chart` shows once the user stops on it (a finished or paused animation, a slider let
  // go) goes to the server, so the link names it; `data.shown` is the frame the server drew.
  const charts = (window.unrolledFrames ??= {});
  charts[data.chart] = {shown: data.shown, report: (name) => setTriggerValue("frame", name)};
  const attach = (gd, key) => {
    gd.unrolledReports = true;
    let timer, playing = false;
    const settle = (ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const slider = gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
        const chart = charts[key];
        if (playing || !slider || !slider.steps[slider.active]) return;  // played on: wait for the next stop
        const name = slider.steps[slider.active].args[0][0];
        if (name !== chart.shown) {
          chart.shown = name;
          chart.report(name);
        }
      }, ms);
    };
    gd.on("plotly_sliderchange", (e) => e.interaction && settle(400));
    gd.on("plotly_animatingframe", () => { playing = true; });
    for (const stopped of ["plotly_animated", "plotly_animationinterrupted"]) {
      gd.on(stopped, () => { playing = false; settle(100); });
    }
  };
  const scan = () => {  // every chart drawn anew (a changed figure is a new element) gets the listeners
    for (const key of Object.keys(charts)) {
      const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
      if (gd && gd.on && !gd.unrolledReports) attach(gd, key);
    }
  };
  if (!window.unrolledFramesWatch) {
    window.unrolledFramesWatch = new MutationObserver(scan);
    window.unrolledFramesWatch.observe(document.body, {childList: true, subtree: true});
  }
  scan();
}"""
_frame_reporter = st.components.v2.component("unrolled.frame", js=FRAME_JS, isolate_styles=False)


NARROW_CSS = """<style>
/* the share box's copy button shows without a hover (a phone has none) */
[data-testid="stCode"] button {opacity: 1 !important; visibility: visible !important;}
/* a table of numbers wider than its box scrolls inside it */
[data-testid="stMarkdownContainer"] table {display: block; overflow-x: auto; max-width: 100%;}
</style>"""


def top(page):
    """The top of `page` ('unroll', 'gradients', 'train', 'scenarios'): the link's setup and its notices, the
    presenter toggle, the share box (filled by `to_link` at the end of the run) and the story of the scenario
    on screen. Returns True when presenting."""
    notices = from_link()
    with st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center"):
        ss["present·toggle"] = kept(state.PRESENT.name) == "on"
        st.toggle(
            state.PRESENT.label,
            key="present·toggle",
            on_change=_presenting,
            help="Big text and no controls, for a projector: ← → step through the days, P plays and pauses.",
        )
        ss["share·slot"] = st.empty()
        st.page_link(
            GLOSSARY, label="Glossary", icon=":material/menu_book:", help="Every word the pages use, explained"
        )
    present = kept(state.PRESENT.name) == "on"
    st.html(KEYS_JS + NARROW_CSS + (PRESENTER_CSS if present else ""), unsafe_allow_javascript=True)
    for notice in notices:
        st.caption(f":material/warning: {notice}")
    if preset := scenario(page):
        reference = f" · reproduces {preset.reference}" if preset.reference else ""
        st.info(f"**{preset.title}**{reference}. {story(preset)}", icon=":material/lightbulb:")
    return present


def reset_weights():
    """Back to StatQuest's network."""
    for s in (*state.WEIGHTS, state.ACTIVATION):
        keep(s.name, s.default)


def _slid(name):
    keep(name, round(ss[f"{name}·slider"], 2))  # on the 0.01 grid: PageUp and End can land between its steps


def weight(s):
    """A slider for dragging and a box for exact entry, kept in sync; returns the value."""
    ss[f"{s.name}·slider"] = float(np.clip(kept(s.name), s.lo, s.hi))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.slider(s.label, s.lo, s.hi, step=STEP, key=f"{s.name}·slider", help=s.help, on_change=_slid, args=(s.name,))
    return bound(
        right.number_input, s.name, s.label, s.lo, s.hi, step=STEP, format="%.3f", label_visibility="collapsed"
    )


def _show_last_day():
    """The sequence changed: the diagrams start again from their first day shown."""
    keep(state.DAY.name, 0)
    keep(state.BACK.name, 0)


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
        st.error(f"{err} Still showing your last valid prices.", icon=":material/error:")
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
    act = activation()
    st.button("Reset to StatQuest's network", on_click=reset_weights, width="stretch")
    return Params.scalar(**values, activation=act)


def activation():
    """The activation menu; returns its name."""
    return bound(
        st.selectbox, state.ACTIVATION.name, state.ACTIVATION.label, state.ACTIVATION.choices,
        format_func=ACTIVATION_LABELS.get,
    )  # fmt: skip


def linked_sidebar(*sections):
    """(title, function) sections in the sidebar; every setting then goes into the link.
    Returns what each function returned."""
    with st.sidebar:
        results = []
        for title, section in sections:
            st.subheader(title)
            results.append(section())
    to_link()
    return results


def _network_section():
    from ui import network_controls  # it builds on this module's widgets

    return network_controls.section()


def sidebar(extra=None, cells=False):
    """Every shared control, in the sidebar, then the page's own (`extra`: a (title, function) section); all go into
    the link. `cells`: the network section (cell, units, W_h recipe) instead of the one-unit RNN's weights.

    Returns (params, rows, what `extra` returned), each row with its forward trace.
    """
    sections = [("Sequence", sequences), ("Network", _network_section) if cells else ("Weights", network)]
    chosen, built, *more = linked_sidebar(*sections, *([extra] if extra else []))
    if cells:
        values, params = built
        rows = [Row(label, color, networks.forward(values, params, xs)) for label, color, xs in chosen]
    else:
        params, rows = built, [Row(label, color, forward(built, xs)) for label, color, xs in chosen]
    return params, rows, more[0] if more else None


def _picked():
    use_scenario(BY_KEY[ss["preset"]])


def preset_picker(page):
    """A menu of `page`'s one-click scenarios."""
    mine = [p.key for p in PRESETS if p.page == page]
    ss["preset"] = kept(state.SCENARIO.name) if kept(state.SCENARIO.name) in mine else None
    st.selectbox("Scenarios", mine, key="preset", index=None, placeholder="Pick a scenario…",
                 format_func=lambda k: BY_KEY[k].title, on_change=_picked)  # fmt: skip


def clipping():
    """Gradient clipping and its threshold, side by side (the Gradients and Train pages share them)."""
    bound(st.selectbox, state.CLIPPING.name, state.CLIPPING.label, state.CLIPPING.choices,
          format_func={"none": "none", "norm": "by global norm", "value": "by value (±)"}.get)  # fmt: skip
    bound(st.number_input, state.CLIP_AT.name, state.CLIP_AT.label, state.CLIP_AT.lo, state.CLIP_AT.hi, step=0.5)


def gradient_settings():
    """Loss, target, precision and clipping for the Gradients page; returns them by name."""
    bound(st.segmented_control, "loss", state.LOSS.label, state.LOSS.choices, required=True,
          format_func={"last": "tomorrow only", "all": "every day"}.get)  # fmt: skip
    bound(st.segmented_control, "precision", state.PRECISION.label, state.PRECISION.choices, required=True)
    bound(st.slider, "target", state.TARGET.label, state.TARGET.lo, state.TARGET.hi, step=STEP)
    clipping()
    return {s.name: kept(s.name) for s in state.GRADIENTS}


def _framed(key, on_frame):
    """The browser says which frame chart `key` stopped on."""
    name = (ss.get(f"{key}·frame") or {}).get("frame")
    if isinstance(name, str) and name.isascii() and name.isdigit() and len(name) < 7:  # else ignored: input
        on_frame(int(name))
        ss[f"{key}·stopped"] = True


def _as_drawn(key, fig):
    """`fig`, or the figure the browser already has if this run only heard where its animation stopped and the two
    differ in nothing else: the same figure is not drawn again, which would take the browser a moment and cut
    short a play pressed meanwhile."""
    drawn = ss.setdefault("drawn", {})  # {chart key: the figure last sent}
    if ss.pop(f"{key}·stopped", False) and key in drawn and same_but_shown(drawn[key], fig):
        return drawn[key]
    drawn[key] = fig
    return fig


def chart(fig, key, alt, numbers=None, on_frame=None):
    """A figure (bigger when presenting) with its alt text, and beside it a table of its numbers for screen readers
    (`numbers`: {column: values}, see `simulator.tables`). An animated figure's frames are named by numbers:
    `on_frame(number)` hears of the frame the user stops on, so the link can keep it."""
    shown = projected(fig) if kept(state.PRESENT.name) == "on" else fig
    st.plotly_chart(_as_drawn(key, shown) if on_frame else shown, key=key, config={"displaylogo": False}, alt=alt)
    if on_frame:
        _frame_reporter(key=f"{key}·frame", data={"chart": key, "shown": shown_frame(fig)}, height=0,
                        on_frame_change=partial(_framed, key, on_frame))  # fmt: skip
    if numbers:
        with st.expander("The numbers in this chart"):
            st.markdown(markdown(numbers))
