"""A chart on a page: presenter size, alt text, its numbers as a table, and the frame the user stops on."""

from functools import partial

import streamlit as st

from simulator import state
from simulator.figures import same_but_shown, shown_frame
from simulator.projector import shown as styled
from simulator.tables import markdown
from ui import download
from ui.link import kept
from ui.present import high_contrast

ss = st.session_state


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
    shown = styled(fig, present=kept(state.PRESENT.name) == "on", high_contrast=high_contrast())
    st.plotly_chart(_as_drawn(key, shown) if on_frame else shown, key=key, config={"displaylogo": False}, alt=alt)
    download.buttons(key)  # figures for slides: PNG and SVG, made in the browser
    if on_frame:
        _frame_reporter(key=f"{key}·frame", data={"chart": key, "shown": shown_frame(fig)}, height=0,
                        on_frame_change=partial(_framed, key, on_frame))  # fmt: skip
    if numbers:
        with st.expander("The numbers in this chart"):
            st.markdown(markdown(numbers))
