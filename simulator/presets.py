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


PRESETS = (  # the Unroll and Gradients scenarios' stories are told from their numbers, in `stories`
    Preset("blue-vs-red", "Blue vs red: one network, two lengths", "unroll"),
    Preset("statquest-low-low", "StatQuest: low, low → low", "unroll", _typed("0, 0"), "tomorrow = 0"),
    Preset("statquest-low-medium", "StatQuest: low, medium → high", "unroll", _typed("0, 0.5"), "tomorrow = 0.99"),
    Preset("statquest-high-medium", "StatQuest: high, medium → low", "unroll", _typed("1, 0.5"), "tomorrow = 0"),
    Preset("statquest-high-high", "StatQuest: high, high → high", "unroll", _typed("1, 1"), "tomorrow = 0.99"),
    Preset("seed-0.99", "w_h = 0.99 for 1000 days", "gradients", _typed("0.5*1000", w_h=0.99),
           "0.99¹⁰⁰⁰ = 4.317e−5"),
    Preset("seed-0.9", "w_h = 0.9 for 1000 days", "gradients", _typed("0.5*1000", w_h=0.9),
           "0.9¹⁰⁰⁰ = 1.748e−46"),
    Preset("seed-0.9-float32", "w_h = 0.9 in float32", "gradients",
           _typed("0.5*1000", w_h=0.9, precision="float32"), "0.9¹⁰⁰⁰ → 0 in float32"),
    Preset("seed-1.1", "w_h = 1.1 for 1000 days", "gradients", _typed("0.5*1000", w_h=1.1),
           "1.1¹⁰⁰⁰ = 2.470e41"),
    Preset("statquest-2", "w_h = 2 for 50 days", "gradients", _typed("0.5*50", w_h=2.0), "2⁵⁰ = 1.126e15"),
    Preset("statquest-0.5", "w_h = 0.5 for 50 days", "gradients", _typed("0.5*50", w_h=0.5),
           "0.5⁵⁰ = 8.882e−16"),
    Preset("dead-relu", "A dead ReLU cuts the path", "gradients", _typed("1, 0, 1, 1"), "act′(z₂) = 0"),
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
           {"act": "tanh", "loss": "last", "init": "random", "seed": 3}, "",
           "Only the last week's error is measured, and tanh's slope below 1 shrinks it on every step back: the "
           "heatmap is dark on the early weeks, which teach the network nothing. The loss falls to almost 0, yet "
           "the prediction is a flat line near 0.96: it learned the one price it is scored on, not the pattern."),
    Preset("truncated", "Truncated BPTT: the gradient stops every 10 weeks", "train",
           {"act": "tanh", "loss": "last", "init": "random", "seed": 3, "k": 10}, "",
           "With k = 10 the error flows back only 10 weeks, so the heatmap is blank before them. "
           "Truncation trades the long memory that barely learned anyway for a cheaper backward pass."),
    # Why LSTM: their stories are told from their numbers, in `why`
    Preset("why-statquest", "StatQuest's LSTM: companies A and B", "why", {}, "h = 0.0064 and h = 0.969"),
    Preset("why-100-days", "The RNN vs the LSTM over 100 days", "why", {"days": "100", "act": "tanh"}),
    Preset("why-forget-0.7", "A forget gate stuck near 0.7", "why", {"days": "100", "units": 16,
           "forget_bias": 0.65}, "0.7¹⁰⁰ = 3.2e−16"),
    Preset("why-race-50", "The race over 50 days", "why", {"length": 50}),
)  # fmt: skip
LAYER = (  # the Layer page's, each told from its numbers in `layer`
    Preset("layer-irnn", "W_h = I with ReLU (IRNN)", "layer",
           _typed("0.5*100", units=8, recipe="identity", rho=1.0), "Le, Jaitly & Hinton 2015"),
    Preset("layer-orthogonal", "An orthogonal W_h keeps the gradient's length", "layer",
           _typed("0.5*100", units=8, recipe="orthogonal", rho=1.0, act="identity")),
    Preset("layer-rho-0.9", "ρ = 0.9 for 100 days", "layer",
           _typed("0.5*100", units=8, recipe="radius", rho=0.9, act="identity")),
    Preset("layer-rho-1.1", "ρ = 1.1 for 100 days", "layer",
           _typed("0.5*100", units=8, recipe="radius", rho=1.1, act="identity")),
    Preset("layer-copies", "4 copies of StatQuest's unit act as one", "layer", {"units": 4}),
    Preset("layer-trap", "The trap: ρ = 0, and the gradient doubles", "layer",
           _typed("0*30", units=2, recipe="trap"), "Pascanu, Mikolov & Bengio 2013, and where it stops"),
)  # fmt: skip
PRESETS += LAYER
BY_KEY = {p.key: p for p in PRESETS}
