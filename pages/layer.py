"""Layer: n units, the weight matrix W_h on screen, its eigenvalues and singular values, and the bound they put on
the gradient reaching each day back."""

import streamlit as st

from simulator import layer
from simulator import layer_figures as figures
from simulator.presets import BY_KEY
from ui import layer_controls, present
from ui.charts import chart
from ui.entry import require_entry_point
from ui.header import top
from ui.scenarios import preset_picker, use_scenario

require_entry_point()

top("layer")
st.title("A layer of neurons")
st.markdown(
    "With **n units** the memory h is n numbers, and yesterday's memory reaches every unit: each unit adds up all "
    "the units' memories, weighted by its row of the **n × n matrix W_h**. Going back one day, the gradient is "
    "multiplied by W_h and the activation's slopes, so what W_h does to vectors decides whether it vanishes or "
    f"explodes. Pick a recipe for W_h {present.where(in_bar=False)}, or a scenario."
)

with st.sidebar:
    preset_picker("layer")
v, params, chosen = layer_controls.sidebar()
spectrum, readings = layer_controls.read(v, params, chosen)

st.subheader("The weights")
chart_side, table_side = st.columns([3, 2]) if params.n <= layer_controls.EDITABLE else (st.container(), None)
with chart_side:
    chart(figures.weights(params), key="weights", numbers=figures.weights_table(params),
          alt=f"Heatmap of the {params.n} by {params.n} matrix W_h beside the columns w_x, b and w_y; brown "
          "is negative, teal positive, white 0.")  # fmt: skip
if table_side:
    with table_side:
        layer_controls.table(params)
else:
    st.caption(
        f"Up to {layer_controls.EDITABLE} units every weight is a number to edit; with {params.n}, read them above. "
        + figures.weights_note(params)
    )

st.subheader("What W_h does to a vector")
plane, bars = st.columns(2)
with plane:
    chart(figures.eigenvalues(spectrum), key="eigenvalues", numbers=figures.eigenvalues_table(spectrum),
          alt="W_h's eigenvalues in the complex plane, with the unit circle, the 1/γ circle and the circle "
          "of radius σ_max.")  # fmt: skip
    st.markdown(layer.radius_sentence(spectrum))
with bars:
    chart(figures.singular_values(spectrum), key="singular", numbers=figures.singular_values_table(spectrum),
          alt="W_h's singular values as bars, largest first, with a dashed line at 1/γ.")  # fmt: skip
    st.markdown(layer.norm_sentence(spectrum))

st.subheader("The gradient reaching each day back")
chart(figures.gradient(readings, spectrum), key="gradient", numbers=figures.gradient_table(readings, spectrum),
      alt="Log-scale chart of the gradient reaching each day back, as a multiple of the last day's, with "
      "the bound (σ_max γ) to the power k dashed over it.")  # fmt: skip
st.markdown(layer.conditions(spectrum, readings[0]))
st.caption(
    "Each step up the axis is ten times bigger. The dashed bound is the most the gradient could be after k days "
    "back; the measured line can touch it, never cross it."
)

st.subheader("Where the rule of thumb stops")
st.markdown(
    "Pascanu, Mikolov & Bengio (2013) put it in two sentences. **Below 1/γ it must vanish:** if σ_max, W_h's "
    "largest stretch, times γ, the activation's steepest slope (1 for tanh and ReLU, ¼ for the sigmoid), is below "
    "1, every day back shrinks the gradient, whatever the prices. **Above 1/γ it may explode, but need not:** "
    "the bound only allows growth; the slopes on the days actually met can hold it down. And the eigenvalues "
    "alone do not decide: a matrix whose eigenvalues are all 0 can still double the gradient every day back."
)
st.button("Show me the trap (ρ = 0)", on_click=use_scenario, args=(BY_KEY["layer-trap"],),
          icon=":material/warning:")  # fmt: skip

st.subheader("The hidden state over time")
for tab, reading in zip(st.tabs([r.label for r in readings]), readings, strict=True):
    with tab:
        tiles, lines = st.columns(2)
        with tiles:
            chart(figures.hidden_heatmap(reading), key=f"hidden-{reading.label}",
                  numbers=figures.hidden_heatmap_table(reading),
                  alt=f"{reading.label}: heatmap of every unit's h, a row a unit, a column a day.")  # fmt: skip
        with lines:
            chart(figures.hidden_lines(reading), key=f"lines-{reading.label}",
                  numbers=figures.hidden_lines_table(reading),
                  alt=f"{reading.label}: each unit's h over the days, a line each.")  # fmt: skip
        if params.n > 1 and layer.spread([reading]) == 0:
            st.caption(f"All {params.n} units hold the same number on every day: they act as one unit.")
