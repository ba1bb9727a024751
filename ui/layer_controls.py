"""The Layer page's own pieces: its sidebar, the table of weights to edit (up to `network.MAX_EDITED` units, every
number into the link as setting `layer`), and the reading of every sequence by the layer."""

import zlib

import numpy as np
import pandas as pd
import streamlit as st

from simulator import layer, network, spectra, state
from ui import network_controls
from ui.link import keep, kept
from ui.sidebar import linked_sidebar, sequences

ss = st.session_state
COLUMNS = ("w_x", "b", "w_y")
EDITABLE = network.MAX_EDITED


def sidebar():
    """The sequence(s) and the layer, in the sidebar and the link -> (settings, Params, the sequences chosen)."""
    chosen, (v, params) = linked_sidebar(
        ("Sequence", sequences), ("Layer", lambda: network_controls.section(cell="rnn"))
    )
    return v, params, chosen


def read(v, params, chosen):
    """The layer read for the gradient: (Spectrum, [layer.Reading]) of the chosen sequences from the memory h0."""
    h0 = network.h0(v)
    return spectra.spectrum(params.W_h, params.activation), [layer.read(params, h0, s) for s in chosen]


def _names(n):
    return [f"h{j + 1}" for j in range(n)], [f"unit {i + 1}" for i in range(n)]


def _edited(key, numbers):
    """The table `key` was edited: its numbers, the edits in, into the link (a cleared cell keeps its number)."""
    n = numbers.shape[0]
    columns = [*_names(n)[0], *COLUMNS]
    table = numbers.copy()
    for row, cells in ss[key]["edited_rows"].items():
        for column, value in cells.items():
            if value is not None and np.isfinite(value):
                table[int(row), columns.index(column)] = np.clip(value, -network.LIMIT, network.LIMIT)
    keep(state.LAYER.name, network.table(table))


def _to_recipe():
    keep(state.LAYER.name, "")


def table(params):
    """The weights as a table to edit, a row per unit: its W_h row (from each unit's memory), w_x, b and w_y."""
    n = params.n
    numbers = network.rows(params)
    heads, units = _names(n)
    key = f"layer·table·{zlib.crc32(numbers.tobytes())}"  # new numbers, a new table: its edits are in them
    number = st.column_config.NumberColumn
    config = {h: number(h, format="%.3f", min_value=-network.LIMIT, max_value=network.LIMIT,
                        help=f"W_h: from the memory of {h} into this unit") for h in heads}  # fmt: skip
    config |= {
        "w_x": number("w_x", format="%.3f", min_value=-network.LIMIT, max_value=network.LIMIT, help="input weight"),
        "b": number("b", format="%.3f", min_value=-network.LIMIT, max_value=network.LIMIT, help="bias"),
        "w_y": number("w_y", format="%.3f", min_value=-network.LIMIT, max_value=network.LIMIT, help="output weight"),
    }
    frame = pd.DataFrame(numbers, index=units, columns=[*heads, *COLUMNS])
    st.data_editor(frame, key=key, column_config=config, on_change=_edited, args=(key, numbers), width="stretch")
    if kept(state.LAYER.name):
        st.caption("Edited by hand, every number in the link. Changing the recipe, ρ, the seed, the units or the "
                   "activation starts again from the recipe.")  # fmt: skip
        st.button("Back to the recipe's weights", on_click=_to_recipe, icon=":material/undo:")
    else:
        st.caption("Double-click a number to change it; the charts follow.")
