"""The Train page's controls: what to learn (a company, a stock, typed prices or a CSV), how to train, and the
weights file. Bad files get a message beside the uploader and the last good data stays."""

from functools import partial

import streamlit as st

from simulator import network, state, train_page, upload
from simulator.data import BLUE, RED, TYPED_COLOR, Prices
from simulator.explain import fmt_weight
from simulator.train_figures import shown
from simulator.train_page import clamped, in_periods, period, run, stock
from simulator.trainer import NAMES
from ui import network_controls
from ui.link import bound, keep, kept, to_link
from ui.sidebar import STEP, activation, clipping_controls, linked_sidebar, typed_prices

ss = st.session_state
SOURCE_LABELS = {"stock": "A real stock", "blue": "Blue · 9 days", "red": "Red · 5 days", "typed": "Type your own",
                 "upload": "Upload a CSV"}  # fmt: skip
INIT_LABELS = {
    "statquest": "StatQuest's weights",
    "random": "random weights",
    "current": "the network set below",
}
ONE_UNIT = {"cell": "rnn", "units": 1, "recipe": "statquest"}  # the network five weights describe
OPTIMIZER_LABELS = {"sgd": "gradient descent", "momentum": "momentum", "adam": "Adam"}
LEARN_LABELS = {"series": "the whole series", "windows": "windows, in batches"}


def _weeks_changed():
    first, last = ss["weeks"]
    if first < last:
        keep(state.START.name, first)
        keep(state.END.name, last)
    else:
        ss["weeks·error"] = "Pick at least two weeks: training needs today and tomorrow."


def _stock():
    ticker = bound(st.selectbox, state.STOCK.name, state.STOCK.label, state.STOCK.choices)
    weeks = (kept(state.START.name), kept(state.END.name))
    if ss.get("weeks", weeks) != weeks:  # a link moved them while the slider was on screen
        ss["weeks"] = weeks
    # A range as its value: Streamlit reads the browser's two ends back as a range only when the widget's own
    # value is one (a range given through session state alone came back as its first week).
    st.select_slider("Weeks", state.WEEKS, value=weeks, key="weeks", on_change=_weeks_changed)
    if error := ss.pop("weeks·error", None):
        st.error(error, icon=":material/warning:")
    st.caption("Weekly closes 2018–2019, from the dataset that ships with plotly, each relative to its first week.")
    return stock(ticker, kept(state.START.name), kept(state.END.name))


def _file_error(message):
    st.error(f"{message} Still using your last good data.", icon=":material/warning:")


def _upload():
    """The uploaded table (parsed once per file) and its chosen columns; the last good series, or None."""
    file = st.file_uploader(  # any type: the parser says what is wrong with a file better than a type filter can
        "CSV file (≤ 1 MB, ≤ 10,000 rows)", key="upload", help="One column of prices, or a table with a header."
    )
    if file is not None and ss.get("upload·id") != file.file_id:
        ss["upload·id"] = file.file_id
        try:
            ss["upload·table"], ss["upload·name"] = upload.read_table(file.getvalue()), file.name
            ss["upload·error"] = None
            ss.pop("date_col", None), ss.pop("price_col", None)
        except ValueError as err:
            ss["upload·error"] = str(err)
    if ss.get("upload·error") and file is not None:
        _file_error(ss["upload·error"])
    table = ss.get("upload·table")
    if table is None:
        return ss.get("upload·series")
    date_guess, price_guess = upload.guess_columns(table)
    left, right = st.columns(2)
    price_col = left.selectbox("Price column", table.numeric, index=table.numeric.index(price_guess), key="price_col")
    others = [None, *(c for c in table.columns if c != price_col)]
    date_col = right.selectbox("Date column", others, index=others.index(date_guess) if date_guess in others else 0,
                               key="date_col", format_func=lambda c: "none" if c is None else c)  # fmt: skip
    try:
        prices = upload.prices(table, price_col)
        dates = tuple(row[table.columns.index(date_col)] for row in table.rows) if date_col else None
        ss["upload·series"] = Prices(f"{ss['upload·name'][:40]}: {price_col[:30]}", TYPED_COLOR, prices,
                                     "in the file's units", dates)  # fmt: skip
    except ValueError as err:
        _file_error(str(err))
    return ss.get("upload·series")


def _typed():
    (typed,) = typed_prices()
    if typed.days < 2:
        st.error("Training needs at least 2 prices (today and tomorrow).", icon=":material/warning:")
        return None
    return typed


def data():
    """The chosen series to learn, or None until there is one (an upload not made yet)."""
    source = bound(st.segmented_control, state.SOURCE.name, state.SOURCE.label, state.SOURCE.choices,
                   format_func=SOURCE_LABELS.get, required=True)  # fmt: skip
    if source == "typed":
        return _typed()
    if source in ("stock", "upload"):
        series = _stock() if source == "stock" else _upload()
        bound(st.segmented_control, state.SCALING.name, state.SCALING.label, state.SCALING.choices, required=True,
              format_func={"minmax": "to 0..1 (min-max)", "none": "as they are"}.get)  # fmt: skip
        return series
    c = BLUE if source == "blue" else RED
    st.caption("Illustrative prices on StatQuest's scale: 0 = low, 0.5 = medium, 1 = high.")
    return c.array()


def _seed():
    bound(st.number_input, state.SEED.name, state.SEED.label, state.SEED.lo, state.SEED.hi, step=1,
          help=state.SEED.help)  # fmt: skip


def network_section():
    """What trains and where it starts: the start, then the cell, its units and what that start needs; the
    network set here ('current') is the whole network section (recipe, weights, h0). Returns its settings."""
    init = bound(st.selectbox, state.INIT.name, state.INIT.label, state.INIT.choices, format_func=INIT_LABELS.get)
    if init == "current":
        values, _ = network_controls.section()
        if values["cell"] == "rnn" and values["units"] == 1 and values["recipe"] == "statquest":
            st.caption("Starting from " + ", ".join(f"{n} = {fmt_weight(values[n])}" for n in NAMES) + ".")
        return values
    cell = bound(st.segmented_control, state.CELL.name, state.CELL.label, state.CELL.choices,
                 format_func=network.CELLS.get, required=True, help=state.CELL.help)  # fmt: skip
    bound(st.number_input, state.UNITS.name, state.UNITS.label, state.UNITS.lo, state.UNITS.hi, step=1,
              help=state.UNITS.help)  # fmt: skip
    if cell == "rnn":
        activation()
    if cell == "lstm" and not _statquest():
        bound(st.slider, state.FORGET_BIAS.name, state.FORGET_BIAS.label, state.FORGET_BIAS.lo,
              state.FORGET_BIAS.hi, step=STEP, help=state.FORGET_BIAS.help)  # fmt: skip
    return network_controls.values()


def _statquest():
    """Whether the start is StatQuest's own network (no seed draws it)."""
    cell, n = kept(state.CELL.name), kept(state.UNITS.name)
    return kept(state.INIT.name) == "statquest" and (cell == "rnn" or (cell == "lstm" and n == 1))


def _needs_seed():
    """Whether the seed is used (a random start or shuffled windows) and the network section has not drawn it."""
    init, cell, recipe = kept(state.INIT.name), kept(state.CELL.name), kept(state.RECIPE.name)
    if init == "current" and (cell != "rnn" or recipe in network.RANDOM):
        return False
    return (init != "current" and not _statquest()) or kept(state.LEARN.name) == "windows"


def settings():
    """How to train: the loss, learning rate, epochs, clipping, truncation, the optimiser and what a step learns from;
    by setting name."""
    bound(st.segmented_control, state.LOSS.name, state.LOSS.label, state.LOSS.choices[::-1], required=True,
          format_func=state.loss_labels(period(kept(state.SOURCE.name))).get, help=state.LOSS.help)  # fmt: skip
    bound(st.segmented_control, state.OPTIMIZER.name, state.OPTIMIZER.label, state.OPTIMIZER.choices,
          format_func=OPTIMIZER_LABELS.get, required=True, help=state.OPTIMIZER.help)  # fmt: skip
    left, right = st.columns(2)
    with left:
        bound(st.number_input, state.RATE.name, state.RATE.label, state.RATE.lo, state.RATE.hi, step=0.05,
              format="%.4g", help=state.RATE.help)  # fmt: skip
    with right:
        bound(st.number_input, state.EPOCHS.name, state.EPOCHS.label, state.EPOCHS.lo, state.EPOCHS.hi, step=50,
              help=state.EPOCHS.help)  # fmt: skip
    clipping_controls()
    worded = partial(in_periods, source=kept(state.SOURCE.name))
    bound(st.number_input, state.TRUNCATE.name, worded(state.TRUNCATE.label), state.TRUNCATE.lo, state.TRUNCATE.hi,
          step=1, help=worded(state.TRUNCATE.help))  # fmt: skip
    learn = bound(st.segmented_control, state.LEARN.name, state.LEARN.label, state.LEARN.choices,
                  format_func=LEARN_LABELS.get, required=True)  # fmt: skip
    if learn == "windows":
        left, right = st.columns(2)
        with left:
            bound(st.number_input, state.WINDOW.name, worded(state.WINDOW.label), state.WINDOW.lo, state.WINDOW.hi,
                  step=1, help=worded(state.WINDOW.help))  # fmt: skip
        with right:
            bound(st.number_input, state.BATCH.name, state.BATCH.label, state.BATCH.lo, state.BATCH.hi, step=1,
                  help=state.BATCH.help)  # fmt: skip
    if _needs_seed():
        _seed()
    return {s.name: kept(s.name) for s in (*state.TRAINING, *state.OPTIMISE)}


def sidebar():
    """The whole sidebar; returns the `Setup` of the run to show, or None while there is no data. A new run is
    shown from its last epoch."""
    series, net, chosen = linked_sidebar(("Data", data), ("Network", network_section), ("Training", settings))
    if series is None:
        return None
    setup = train_page.setup(series, {**net, **chosen})
    run_id = (series.label, series.xs.tobytes(), tuple(sorted(setup.settings.items())))
    if ss.setdefault("train·run", run_id) != run_id and kept(state.EPOCH.name) != state.EPOCH.default:
        keep(state.EPOCH.name, state.EPOCH.default)
        to_link()
    ss["train·run"] = run_id
    return setup


def _keep_epoch(last, epoch):
    keep(state.EPOCH.name, state.EPOCH.default if epoch >= last else epoch)


def epoch_shown(run):
    """◀ epoch ▶ (the arrow keys step too): the epoch the replay shows first (-1: the last), and the figure's
    `on_frame` that keeps the epoch the user stops on. The buttons step through the epochs the replay has."""
    keep_epoch = partial(_keep_epoch, int(run.snaps[-1]))
    if (asked := kept(state.EPOCH.name)) > run.snaps[-1]:
        st.caption(f":material/warning: The link asks for epoch {asked:,}, but the run has {int(run.snaps[-1]):,}; "
                   "showing the last.")  # fmt: skip
        keep(state.EPOCH.name, state.EPOCH.default)
        to_link()
    i = shown(run, kept(state.EPOCH.name))
    last = len(run.snaps) - 1
    with st.container(horizontal=True, vertical_alignment="center"):  # a row on a phone too
        st.button("◀ epoch", on_click=keep_epoch, args=(int(run.snaps[max(i - 1, 0)]),), shortcut="ArrowLeft",
                  disabled=i == 0, help="The epoch before (← key)")  # fmt: skip
        st.caption(f"Epoch {int(run.snaps[i]):,} of {int(run.snaps[last]):,} (← →)", width="content")
        st.button("epoch ▶", on_click=keep_epoch, args=(int(run.snaps[min(i + 1, last)]),), shortcut="ArrowRight",
                  disabled=i == last, help="The epoch after (→ key)")  # fmt: skip
    return kept(state.EPOCH.name), keep_epoch


@st.cache_data(max_entries=32, show_spinner="Training…")
def cached_run(setup):
    """The run of `setup`, cached: moving the animation or opening the page again does not retrain."""
    return run(setup)


@st.cache_data(max_entries=1, show_spinner=False)
def what_to_notice():
    """'What to notice' on too big a step and on vanishing, told from their five runs: trained once per server,
    in a cache of their own that no visitor's run evicts."""
    clipping, vanishing = train_page.clipping_setups(), train_page.vanishing_setups()
    return (
        train_page.clipping_notice(clipping, [run(s) for s in clipping]),
        train_page.vanishing_notice(vanishing, [run(s) for s in vanishing]),
    )


def use_weights(values):
    """Make `values` ({name: value}, e.g. trained or loaded weights) the weights every page shows."""
    for name, value in values.items():
        keep(name, value)


def _carry(page, values):
    use_weights(values)
    ss["go·to"] = page


def show_on(column, page, label, icon, values):
    """A button that makes `values` the shared settings and opens `page` with them."""
    column.button(label, key=f"carry·{page}", on_click=_carry, args=(page, values), width="stretch", icon=icon)
    if target := ss.pop("go·to", None):
        st.switch_page(target)


def load_weights():
    """A weights file (JSON) to start from; a bad file gets a message and changes nothing."""
    file = st.file_uploader("Load weights (a JSON file saved here)", key="weights·file")
    if file is None or ss.get("weights·id") == file.file_id:
        return ss.get("weights·message")
    ss["weights·id"] = file.file_id
    if held := train_page.network_file(file.getvalue()):
        ss["weights·message"] = ("error", f"{file.name[:60]} holds {held}: only the one-unit RNN's five weights load "
                                 "back as a start (they are what a link carries). Nothing was changed.")  # fmt: skip
        return ss["weights·message"]
    try:
        loaded = upload.read_weights(file.getvalue())
    except ValueError as err:
        ss["weights·message"] = ("error", f"{err} Nothing was changed.")
        return ss["weights·message"]
    values, notices = clamped([loaded[n] for n in NAMES])
    use_weights({**values, **ONE_UNIT, "act": loaded["activation"], "init": "current"})
    ss["weights·message"] = ("success", f"Loaded {file.name[:60]}: training now starts from its weights. "
                             + " ".join(notices))  # fmt: skip
    st.rerun()  # the sidebar above already drew the old weights


def download(column, setup, run):
    """The trained weights as a JSON file: the five weights' file for the one-unit RNN (it loads back here), every
    weight of any other network."""
    if run.one_unit:
        values = dict(zip(NAMES, run.theta[train_page.last(run)], strict=True))
        data, name = upload.weights_json({**values, "activation": setup.activation}), "unrolled-weights.json"
    else:
        data, name = train_page.network_json(setup, run), f"unrolled-{setup.cell}-{setup.start.n}-units.json"
    column.download_button("Download (JSON)", data, file_name=name, mime="application/json", width="stretch",
                           icon=":material/download:")  # fmt: skip
