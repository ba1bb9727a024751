"""The Train chart's star for the next week and its label: both whole, and the label off the price line."""

import numpy as np

from simulator.data import stocks
from simulator.explain import fmt
from simulator.train_page import defaults, figure, run, setup, stock
from tests.spec import array


def test_the_next_weeks_star_fits_the_plot_and_its_label_stands_above_every_price():
    chosen = defaults(data="stock")
    made = setup(stock("GOOG", chosen["from"], chosen["to"]), chosen)
    trained = run(made)
    spec = figure(made, trained).to_dict()
    star = next(t for t in spec["data"] if t.get("marker", {}).get("symbol") == "star")
    prices, prediction = spec["data"][0], spec["data"][1]
    T = len(stocks()[1]["GOOG"])
    lo, hi = spec["layout"]["yaxis"]["range"]
    start, end = spec["layout"]["xaxis"]["range"]
    assert star["x"][0] == T + 1 and star["cliponaxis"] is False
    assert (end - star["x"][0]) / (end - start) >= 0.02  # a star's 6 px radius beside it on a 300 px wide plot
    drawn = np.concatenate([array(prices["y"]), array(prediction["y"])]).astype(float)
    (label,) = [(y, text) for y, text in zip(star["y"], star["text"], strict=True) if text]
    assert label[1] == f"next week: {fmt(trained.y[-1][-1])}"
    assert label[0] == hi and label[0] - drawn.max() >= 0.15 * (hi - lo)  # its text hangs below into empty room
