"""One-click scenarios: a page and the settings that differ from the defaults, with what to notice in two sentences.

Each is a link (`state.scenario_query`), so the gallery, the Gradients page's menu and a teacher's URL agree.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    """A scenario: its page ('unroll', 'gradients' or 'train'), its settings by `state` name (the rest default),
    the number it reproduces (if any) and its story."""

    key: str
    title: str
    page: str
    settings: dict = field(default_factory=dict)
    reference: str = ""
    story: str = ""


def _typed(prices, **weights):
    return {"seq": "typed", "typed": prices, **weights}


PRESETS = (
    Preset("blue-vs-red", "Blue vs red: one network, two lengths", "unroll", {}, "",
           "The same five numbers read the blue company's 9 days and the red company's 5: the cell is copied once "
           "per day. Press Play and watch both memories update with the same w_x and w_h."),
    Preset("statquest-low-low", "StatQuest: low, low → low", "unroll", _typed("0, 0"), "tomorrow = 0",
           "Yesterday and today were low (0), and StatQuest's network predicts a low price tomorrow (0). "
           "Every h is 0: nothing to remember."),
    Preset("statquest-low-medium", "StatQuest: low, medium → high", "unroll", _typed("0, 0.5"), "tomorrow = 0.99",
           "The price rose from low to medium, and the network predicts high (0.99) tomorrow. Today's h is "
           "1.8 × 0.5 = 0.9; yesterday's 0 adds nothing."),
    Preset("statquest-high-medium", "StatQuest: high, medium → low", "unroll", _typed("1, 0.5"), "tomorrow = 0",
           "The price fell from high to medium, and the network predicts low (0). Yesterday's h of 1.8 times "
           "w_h = −0.5 cancels today's 0.9 exactly, so ReLU outputs 0."),
    Preset("statquest-high-high", "StatQuest: high, high → high", "unroll", _typed("1, 1"), "tomorrow = 0.99",
           "High twice, and the network predicts high (0.99). The memory of yesterday pulls h down from 1.8 to "
           "0.9, which w_y = 1.1 turns into 0.99."),
    Preset("seed-0.99", "The seed: 1000 days, w_h = 0.99", "gradients", _typed("0.5*1000", w_h=0.99),
           "0.99¹⁰⁰⁰ = 4.317e-5",
           "Every day back multiplies the error signal by w_h·act′ = 0.99, so after 1000 days only 0.99¹⁰⁰⁰ = "
           "0.00004317 of it is left. Day 1's price can barely move the prediction: the gradient has vanished."),
    Preset("seed-0.9", "The seed: 1000 days, w_h = 0.9", "gradients", _typed("0.5*1000", w_h=0.9),
           "0.9¹⁰⁰⁰ = 1.748e-46",
           "0.9¹⁰⁰⁰ = 1.7e-46: gone for any practical purpose, yet float64 still holds it. Switch the precision to "
           "float32 and it underflows to exactly 0, as the seed says."),
    Preset("seed-0.9-float32", "The seed in float32: the gradient becomes 0", "gradients",
           _typed("0.5*1000", w_h=0.9, precision="float32"), "0.9¹⁰⁰⁰ → 0 in float32",
           "float32 cannot hold anything below 1.4e-45, so 0.9¹⁰⁰⁰ = 1.7e-46 is stored as exactly 0. The first "
           "days get no gradient at all: vanishing made literal."),
    Preset("seed-1.1", "The seed: 1000 days, w_h = 1.1", "gradients", _typed("0.5*1000", w_h=1.1),
           "1.1¹⁰⁰⁰ = 2.470e41",
           "Every day back multiplies the signal by 1.1, so day 1 gets 1.1¹⁰⁰⁰ = 2.5e41 times the error. One "
           "gradient step would throw the weights far away: the gradient has exploded (try clipping)."),
    Preset("statquest-2", "StatQuest: 50 days, w_h = 2", "gradients", _typed("0.5*50", w_h=2.0), "2⁵⁰ = 1.126e15",
           "StatQuest's example: with w_h = 2 the signal is doubled on each of the 50 days back, 2⁵⁰ ≈ 1.1e15. "
           "A gradient that large takes huge steps that overshoot the best weights."),
    Preset("statquest-0.5", "StatQuest: 50 days, w_h = 0.5", "gradients", _typed("0.5*50", w_h=0.5),
           "0.5⁵⁰ = 8.882e-16",
           "With w_h = 0.5 the signal is halved on each of the 50 days back, 0.5⁵⁰ ≈ 8.9e-16. What happened 50 "
           "days ago cannot teach the network anything."),
    Preset("dead-relu", "A dead ReLU cuts the path", "gradients", _typed("1, 0, 1, 1"), "act′(z₂) = 0",
           "On day 2 the pre-activation is 1.8×0 − 0.5×1.8 = −0.9 < 0, so ReLU outputs 0 and its slope is 0. "
           "Nothing flows back past day 2: days 1 and 2 cannot change the prediction at all."),
    Preset("train-google", "Learning Google's weekly prices", "train", {}, "",
           "Gradient descent nudges the five weights 300 times, and the dashed prediction settles onto the prices. "
           "Press Play and watch the loss fall fastest in the first epochs."),
    Preset("train-explodes", "Too big a step: training explodes", "train", {"lr": 3.0, "epochs": 1000},
           "∞ at epoch 509",
           "With a learning rate of 3 the ReLU dies at epoch 3 and only b_y still learns; each step overshoots it "
           "further, and at epoch 509 the loss overflows float64: b_y is −1.3e153, a finite weight, but the sum of "
           "its 104 errors squared is beyond 1.8e308. The loss climbs a straight line on its log axis."),
    Preset("clipping-saves", "Clipping saves the same run", "train",
           {"lr": 3.0, "epochs": 1000, "clip": "norm", "clip_at": 0.1}, "finite after 1000 epochs",
           "The same learning rate of 3, but every gradient is scaled down to length 0.1 first. No step can be "
           "huge any more, so the run that exploded now learns."),
    Preset("train-vanishing", "Vanishing gradients while training", "train",
           {"act": "tanh", "task": "last", "init": "random", "seed": 3}, "",
           "Only the last week's error is measured, and tanh's slope below 1 shrinks it on every step back: the "
           "heatmap is dark on the early weeks, which teach the network nothing. The loss falls to almost 0, yet "
           "the prediction is a flat line near 0.96: it learned the one price it is scored on, not the pattern."),
    Preset("truncated", "Truncated BPTT: the gradient stops every 10 weeks", "train",
           {"act": "tanh", "task": "last", "init": "random", "seed": 3, "k": 10}, "",
           "With k = 10 the error flows back only 10 weeks, so the heatmap is blank before them. "
           "Truncation trades the long memory that barely learned anyway for a cheaper backward pass."),
)  # fmt: skip
BY_KEY = {p.key: p for p in PRESETS}
