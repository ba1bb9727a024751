"""The Train page through AppTest: data sources, uploads (good and hostile), training, weights files, carrying."""

from pathlib import Path

import numpy as np
import pytest

from simulator import state
from simulator.data import BLUE, stocks
from simulator.explain import fmt
from simulator.train_figures import RADIUS
from simulator.train_page import (
    baseline,
    clipping_notice,
    clipping_setups,
    compared,
    defaults,
    network_json,
    radius_said,
    run,
    setup,
    stock,
    vanishing_notice,
    vanishing_setups,
)
from simulator.trainer import STATQUEST, Scale, fit_one_unit, initial, snapshots
from simulator.upload import weights_json
from tests.apptest import charts, open_app, tables
from tests.spec import array

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PAGE = "pages/train.py"
HOSTILE = Path(__file__).parent / "hostile"
GOOD_CSV = b"date,close\n2024-01-01,10\n2024-01-02,12\n2024-01-03,11\n2024-01-04,15\n2024-01-05,14\n"


def page(**query):
    return open_app(PAGE, **query)


def chart(at):
    (spec,) = charts(at)
    return spec


def prices_drawn(at):
    return array(chart(at)["data"][0]["y"]).astype(float)


def said(at, text):
    return any(text in e.value for kind in ("markdown", "error", "caption", "info", "success") for e in at.get(kind))


def uploader(at, key):
    (found,) = [u for u in at.get("file_uploader") if u.key == key]
    return found


def upload(at, name, content, key="upload"):
    uploader(at, key).set_value((name, content, "text/csv")).run()
    return at


def test_opens_on_google_and_trains():
    at = page()
    assert not at.exception
    goog = stocks()[1]["GOOG"]
    np.testing.assert_array_equal(prices_drawn(at), Scale.minmax(goog).scaled(goog))
    run = fit_one_unit(Scale.minmax(goog).scaled(goog), STATQUEST, "relu", "all", 0.3, 300)
    fig = chart(at)
    assert len(fig["frames"]) == len(run.snaps)
    np.testing.assert_array_equal(array(fig["frames"][-1]["data"][0]["y"]), run.y[-1])
    assert said(at, "In 300 epochs the loss fell from **0.02367** to **5.423e−3**")  # explain.fmt: 4 significant


def test_a_diverging_link_is_a_lesson_not_a_crash():
    at = page(lr="3", epochs="1000")
    assert not at.exception
    assert said(at, "Training broke at epoch 509") and said(at, "turn on gradient clipping")
    assert [s["x0"] for s in chart(at)["layout"]["shapes"]] == [509, 509]
    at = page(lr="3", epochs="1000", clip="norm", clip_at="0.1")
    assert not said(at, "Training broke") and said(at, "the loss fell")


def test_bad_training_links_fall_back_with_a_notice():
    at = page(lr="nan", epochs="2.5", seed="-1", k="many", init="magic")
    assert not at.exception
    for name in ("lr", "epochs", "seed", "k", "init"):
        assert said(at, f"Ignored `{name}="), name
    assert said(at, "In 300 epochs")


def test_the_same_seed_replays_the_same_figure():
    a, b = (chart(page(init="random", seed="42", act="tanh")) for _ in range(2))
    assert a["frames"] == b["frames"]
    c = chart(page(init="random", seed="43", act="tanh"))
    assert a["frames"] != c["frames"]


def test_the_stock_window_picks_the_weeks():
    weeks, closes = stocks()
    at = page(stock="MSFT", **{"from": weeks[10], "to": weeks[40]})
    msft = closes["MSFT"][10:41]
    np.testing.assert_array_equal(prices_drawn(at), Scale.minmax(msft).scaled(msft))
    at.select_slider(key="weeks").set_range(weeks[20], weeks[20]).run()
    assert said(at, "Pick at least two weeks")
    np.testing.assert_array_equal(prices_drawn(at), Scale.minmax(msft).scaled(msft))
    assert at.select_slider(key="weeks").value == (weeks[10], weeks[40])  # the slider springs back


def test_the_weeks_survive_a_change_of_any_other_setting():
    """The browser sends both ends of the range back on every rerun: they stay a range (they once came back as
    the first week alone, and every change of another setting said 'Pick at least two weeks')."""
    weeks, closes = stocks()
    at = page()
    at.number_input(key="lr").set_value(0.2).run()
    assert not at.error and at.select_slider(key="weeks").value == (weeks[0], weeks[-1])
    at.select_slider(key="weeks").set_range(weeks[5], weeks[60]).run()
    at.selectbox(key="act").set_value("tanh").run()
    assert not at.error and at.select_slider(key="weeks").value == (weeks[5], weeks[60])
    goog = closes["GOOG"][5:61]
    np.testing.assert_array_equal(prices_drawn(at), Scale.minmax(goog).scaled(goog))


def test_an_uploaded_csv_is_learned_in_its_own_units():
    at = page(data="upload")
    assert said(at, "Upload a CSV file") and not at.get("plotly_chart")
    upload(at, "shop.csv", GOOD_CSV)
    assert not at.exception
    np.testing.assert_array_equal(prices_drawn(at), [0, 0.4, 0.2, 1, 0.8])
    assert at.selectbox(key="price_col").value == "close" and at.selectbox(key="date_col").value == "date"
    assert said(at, "for the day after 2024-01-05")  # daily dates: a day, not a week
    assert chart(at)["layout"]["yaxis5"]["range"][0] < 10  # the second axis is in the file's own units


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.iterdir() if p.is_file() and p.suffix != ".md"))
def test_a_hostile_upload_gets_a_message_and_the_last_good_data_stays(name):
    at = upload(page(data="upload"), "shop.csv", GOOD_CSV)
    before = prices_drawn(at)
    upload(at, name, (HOSTILE / name).read_bytes())
    assert not at.exception
    (error,) = at.error
    assert "Still using your last good data" in error.value
    np.testing.assert_array_equal(prices_drawn(at), before)


def test_a_hostile_first_upload_leaves_the_page_waiting():
    at = upload(page(data="upload"), "junk.csv", (HOSTILE / "binary_junk.bin").read_bytes())
    assert not at.exception and at.error and said(at, "Upload a CSV file")


def test_typed_prices_need_two_days():
    at = page(data="typed", typed="0.5")
    assert not at.exception and said(at, "at least 2 prices") and not at.get("plotly_chart")
    at = page(data="typed", typed="0, 0.5, 1, 0.5")
    np.testing.assert_array_equal(prices_drawn(at), [0, 0.5, 1, 0.5])


def test_a_weights_file_becomes_the_start_and_a_bad_one_changes_nothing():
    at = page()
    values = dict(w_x=0.5, w_h=0.25, b=-0.1, w_y=2.0, b_y=0.1, activation="tanh")
    upload(at, "mine.json", weights_json(values).encode(), key="weights·file")
    assert not at.exception and at.selectbox(key="init").value == "current" and at.selectbox(key="act").value == "tanh"
    assert said(at, "Loaded mine.json")
    good = chart(at)["frames"]
    upload(at, "bad.json", b'{"w_x": "1"}', key="weights·file")
    assert said(at, "Nothing was changed") and chart(at)["frames"] == good


def test_the_trained_weights_carry_to_the_unroll_page():
    at = page(data="blue", epochs="50")
    (weights,) = [t for t in tables(at) if "trained" in t]
    trained = [float(c.replace("−", "-")) for c in weights["trained"]]
    at.button[[b.label for b in at.button].index("Show them on Unroll")].click().run()
    assert not at.exception and at.title[0].value == "Unroll an RNN"
    np.testing.assert_allclose([at.number_input(key=n).value for n in ("w_x", "w_h", "b", "w_y", "b_y")], trained,
                               rtol=1e-3)  # fmt: skip
    assert at.query_params["seq"] == "typed" and at.query_params["typed"].startswith("0.25, 0.5, 0.5, 0.25")
    xs = np.array(BLUE.xs[:-1])
    assert any(f"for day {len(xs) + 1}" in m.value for m in at.markdown)


def shown_epoch(fig):
    """The epoch the replay opens on, and whether the traces drawn first are that frame's."""
    slider = fig["layout"]["sliders"][0]
    name = slider["steps"][slider["active"]]["args"][0][0]
    (frame,) = [f for f in fig["frames"] if f["name"] == name]
    drawn = [fig["data"][i] for i in frame["traces"]]
    return int(name), all(d | f == d for d, f in zip(drawn, frame["data"], strict=True))


def test_a_link_opens_the_replay_on_its_epoch_and_a_new_run_on_its_last():
    snaps = list(snapshots(100))  # 0, 2, 3, 5, ... 100: the epochs the replay has frames for
    at = page(epochs="100", epoch=str(snaps[30]))
    assert shown_epoch(chart(at)) == (snaps[30], True)
    between = snaps[30] + 1
    assert between not in snaps and page(epochs="100", epoch=str(between)).query_params["epoch"] == str(between)
    assert shown_epoch(chart(page(epochs="100", epoch=str(between))))[0] in snaps[30:32]  # the nearest
    assert shown_epoch(chart(page(epochs="100", epoch="5000")))[0] == 100
    assert shown_epoch(chart(page(epochs="100")))[0] == 100
    at.number_input(key="lr").set_value(0.2).run()
    assert shown_epoch(chart(at)) == (100, True) and "epoch" not in at.query_params


def test_random_start_is_replayable_from_the_seed():
    np.testing.assert_array_equal(initial("random", 42), initial("random", 42))


def test_the_arrow_keys_step_through_the_epochs():
    at = page()
    back, ahead = (b for b in at.button if b.label in ("◀ epoch", "epoch ▶"))
    assert (back.proto.shortcut, ahead.proto.shortcut) == ("left", "right") and ahead.disabled
    snaps = snapshots(300)
    back.click().run()
    slider = chart(at)["layout"]["sliders"][0]
    assert slider["steps"][slider["active"]]["label"] == f"epoch {snaps[-2]}"
    assert at.query_params["epoch"] == str(snaps[-2]) and said(at, f"Epoch {snaps[-2]} of 300")
    next(b for b in at.button if b.label == "epoch ▶").click().run()
    assert "epoch" not in at.query_params and said(at, "Epoch 300 of 300")


def test_what_to_notice_tells_the_runs_it_describes():
    at = page()
    clipping, vanishing = clipping_setups(), vanishing_setups()
    assert said(at, clipping_notice(clipping, [run(s) for s in clipping]))
    assert said(at, vanishing_notice(vanishing, [run(s) for s in vanishing]))
    assert said(at, "training breaks at epoch 509") and said(
        at, "at the threshold 5 the loss rises from 0.02367 to 37.25"
    )
    assert not said(at, "keeps the same run finite")


def test_an_lstm_trains_on_the_stock_and_its_weights_stay_on_this_page():
    at = page(cell="lstm", optimizer="adam", lr="0.01")
    assert not at.exception
    s = setup(stocks_series(), defaults(cell="lstm", optimizer="adam", lr=0.01))
    r = run(s)
    assert r.loss[-1] < 0.3 * r.loss[0]
    assert said(at, f"the loss fell from **{fmt(r.loss[0], 4)}** to **{fmt(r.loss[-1], 4)}**")
    assert said(at, "one step of Adam on the whole series: 300 steps")
    labels = [b.label for b in at.button]
    assert "Show them on Unroll" not in labels and "Show the prices on Unroll" in labels
    assert said(at, "The trained weights of this LSTM (1 unit) stay on this page")
    (weights,) = [t for t in tables(at) if "trained" in t]
    assert weights["weight"] == ("w_x", "W_h", "b", "w_y", "b_y") and weights["shape"][1] == "4 × 1"
    drawn = [t["name"] for t in chart(at)["data"] if t.get("legend") == "legend2"]
    assert drawn == ["‖w_x‖", "‖W_h‖", "‖b‖", "‖w_y‖", "|b_y|"]
    frames = chart(at)["frames"]
    upload(at, "lstm.json", network_json(s, r).encode(), key="weights·file")
    assert not at.exception and said(at, "lstm.json holds an LSTM of 1 unit: only the one-unit RNN's five weights")
    assert chart(at)["frames"] == frames and at.selectbox(key="init").value == "statquest"


def stocks_series():
    return stock("GOOG", state.START.default, state.END.default)


def test_n_units_draw_the_spectral_radius_and_say_what_it_did():
    at = page(units="8", recipe="orthogonal", init="current", act="tanh")
    assert not at.exception
    s = setup(stocks_series(), defaults(units=8, recipe="orthogonal", init="current", act="tanh"))
    r = run(s)
    (trace,) = [t for t in chart(at)["data"] if t.get("name") == RADIUS]
    np.testing.assert_array_equal(array(trace["y"]), r.radius)
    assert said(at, radius_said(s, r)) and said(at, "ρ(W_h) went from 0.9 to")
    assert at.number_input(key="units").value == 8 and at.selectbox(key="recipe").value == "orthogonal"


def test_windows_in_batches_are_settings_in_the_link():
    at = page(learn="windows", window="10", batch="8", seed="5")
    assert not at.exception
    assert at.number_input(key="window").value == 10 and at.number_input(key="batch").value == 8
    assert at.number_input(key="seed").value == 5
    assert said(at, "Each epoch cuts the series into its 95 windows of 10 weeks, shuffles them (seed 5)")
    assert said(at, "12 steps an epoch, 3,600 in all")
    at.number_input(key="batch").set_value(32).run()
    assert not at.exception and at.query_params["batch"] == "32" and said(at, "3 steps an epoch")
    at = page(learn="windows", window="1", batch="0", optimizer="magic")
    assert not at.exception and all(said(at, f"Ignored `{n}=") for n in ("window", "batch", "optimizer"))


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_typed_and_uploaded_prices_train_any_cell(cell):
    at = page(data="typed", typed="0, 0.5, 1, 0.5, 0, 0.5, 1, 0.5", cell=cell, units="2", optimizer="adam", lr="0.05")
    assert not at.exception and said(at, "the loss fell")
    np.testing.assert_array_equal(prices_drawn(at), [0, 0.5, 1, 0.5, 0, 0.5, 1, 0.5])
    at = upload(page(data="upload", cell=cell), "shop.csv", GOOD_CSV)
    assert not at.exception and said(at, "for the day after 2024-01-05")
    np.testing.assert_array_equal(prices_drawn(at), [0, 0.4, 0.2, 1, 0.8])


def test_adam_is_drawn_and_told_beside_gradient_descent():
    at = page(optimizer="adam", lr="0.01")
    assert not at.exception
    s = setup(stocks_series(), defaults(optimizer="adam", lr=0.01))
    r, b = run(s), run(baseline(s))
    assert said(at, compared(s, r, b)) and said(at, "Adam ends at")
    names = [t.get("name") for t in chart(at)["data"]]
    assert "this run" in names and "gradient descent, whole series" in names
    assert said(at, f"the loss fell from **{fmt(r.loss[0], 4)}** to **{fmt(r.loss[-1], 4)}**")


def test_n_units_carry_the_prices_and_the_network_settings():
    at = page(data="blue", units="4", init="random", act="tanh", seed="3", epochs="20")
    at.button[[b.label for b in at.button].index("Show the prices on Unroll")].click().run()
    assert not at.exception and at.title[0].value == "Unroll an RNN"
    assert at.query_params["units"] == "4" and at.query_params["seed"] == "3" and at.query_params["act"] == "tanh"
    assert at.query_params["seq"] == "typed" and at.query_params["typed"].startswith("0.25, 0.5, 0.5, 0.25")
