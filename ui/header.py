"""The top of every page: the link's setup and its notices, presenter mode, the share box, the glossary link and the
scenario's story; the P key that plays and pauses."""

import streamlit as st

from simulator import state
from simulator.stories import story
from ui import present as presenter
from ui.link import from_link, keep, kept
from ui.scenarios import scenario

ss = st.session_state


GLOSSARY = "pages/glossary.py"


PRESENTER_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"] {display: none !important;}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {font-size: 1.4rem !important;}
[data-testid="stCaptionContainer"] {font-size: 1.15rem !important;}
.block-container, [data-testid="stMainBlockContainer"] {max-width: 100% !important; padding-top: 1rem !important;}
</style>"""


CONTRAST_CSS = """<style>
/* high contrast (ui.present.high_contrast): a near-black page, white text, every widget light on dark; the
   diagram (.ud-root) keeps its tiles' colours and has its own dark class */
.stApp, [data-testid="stAppViewContainer"], [data-testid="stHeader"], [data-testid="stSidebar"],
[data-testid="stSidebarContent"], [data-testid="stBottomBlockContainer"], [data-testid="stPopoverBody"],
[data-baseweb="popover"] > div, [data-baseweb="menu"], [role="listbox"], [role="option"] {
  background-color: #0e1117 !important; color: #fff !important;
}
.stApp :is(p, li, span, label, h1, h2, h3, h4, h5, h6, small, strong, em, td, th, summary, a):not(.ud-root *),
[data-baseweb="popover"] :is(p, li, span, div), [data-testid="stCaptionContainer"] {color: #fff !important;}
.stApp a {color: #8fd3ff !important;}
.stApp :is(input, textarea), [data-baseweb="select"] > div, [data-baseweb="input"], [data-baseweb="textarea"],
[data-testid="stNumberInputContainer"], [data-testid="stCode"] pre, .stApp code, [data-testid="stExpander"] details,
[data-testid="stFileUploaderDropzone"] {
  background-color: #1b1f27 !important; color: #fff !important; border-color: #c8c8c8 !important;
}
.stApp button:not(.ud-root *) {
  background-color: #1b1f27 !important; color: #fff !important; border: 1px solid #c8c8c8 !important;
}
.stApp button[kind="primary"] {background-color: #56b4e9 !important; color: #000 !important;}
.stApp button[kind="primary"] * {color: #000 !important;}
.stApp button[aria-label^="Help for"] {background: none !important; border: none !important; color: #ccc !important;}
label:has(> span > input[role="switch"]:not(:checked)) > div:first-of-type {background-color: #8a8a8a !important;}
[data-testid="stRadioOption"]:has(input:not(:checked)) > div > div:first-child {
  background-color: #0e1117 !important; border: 2px solid #ccc !important;
}
[data-testid="stAlertContainer"] {background-color: #102a43 !important; border: 1px solid #56b4e9 !important;}
.stApp table, .stApp td, .stApp th {border-color: #8a8a8a !important; background-color: #0e1117 !important;}
.stApp hr {border-color: #8a8a8a !important;}
[data-testid="stSliderTickBarMin"], [data-testid="stSliderTickBarMax"], [data-testid="stSliderThumbValue"] {
  color: #fff !important;
}
</style>"""


def _contrasted(key):
    keep(state.CONTRAST.name, "on" if ss[key] else "off")


def contrast_toggle(key, label=state.CONTRAST.label):
    """The high-contrast toggle (`key`: one per place it is drawn)."""
    ss[key] = presenter.high_contrast()
    st.toggle(label, key=key, on_change=_contrasted, args=(key,),
              help="White on near-black, for a projector; left alone, as the browser prefers.")  # fmt: skip


def _presenting():
    keep(state.PRESENT.name, "on" if ss["present·toggle"] else "off")


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


NARROW_CSS = """<style>
/* the share box's copy button shows without a hover (a phone has none) */
[data-testid="stCode"] button {opacity: 1 !important; visibility: visible !important;}
/* a touch screen with no keyboard: no key hints */
@media (hover: none) and (pointer: coarse) { .keys-hint {display: none;} }
/* a table of numbers wider than its box scrolls inside it */
[data-testid="stMarkdownContainer"] table {display: block; overflow-x: auto; max-width: 100%;}
</style>"""


def top(page):
    """The top of `page` ('unroll', 'gradients', 'train', 'scenarios'): the link's setup and its notices, the
    presenter toggle, the share box (filled by `to_link` at the end of the run) and the story of the scenario
    on screen. Returns True when presenting."""
    presenting = kept(state.PRESENT.name) == "on"
    notices = from_link(page)
    if presenting and state.SCENARIO.name in st.query_params:  # a scenario opened while presenting: still presenting
        keep(state.PRESENT.name, "on")
    with st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center"):
        ss["present·toggle"] = kept(state.PRESENT.name) == "on"
        st.toggle(
            state.PRESENT.label,
            key="present·toggle",
            on_change=_presenting,
            help="Big text and a slim bar of controls instead of the sidebar, for a projector: ← → step through "
            "the days, P plays and pauses, − and + nudge the weight picked.",
        )
        if kept(state.PRESENT.name) != "on":  # presenting, the bar holds it
            contrast_toggle("contrast·toggle")
        ss["share·slot"] = st.empty()
        st.page_link(
            GLOSSARY, label="Glossary", icon=":material/menu_book:", help="Every word the pages use, explained"
        )
    present = kept(state.PRESENT.name) == "on"
    page_css = (PRESENTER_CSS + presenter.HTML if present else "") + (CONTRAST_CSS if presenter.high_contrast() else "")
    st.html(KEYS_JS + NARROW_CSS + page_css, unsafe_allow_javascript=True)
    if present:
        presenter.bar(page)
    for notice in notices:
        st.caption(f":material/warning: {notice}")
    if preset := scenario(page):
        reference = f" · reproduces {preset.reference}" if preset.reference else ""
        st.info(f"**{preset.title}**{reference}. {story(preset)}", icon=":material/lightbulb:")
    return present
