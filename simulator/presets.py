"""One-click scenarios for the Gradients page, each with the number it reproduces and what to notice."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    """Typed prices and weights (the rest stay StatQuest's), the reference number, and two sentences."""

    key: str
    title: str
    prices: str
    weights: dict = field(default_factory=dict)
    reference: str = ""
    story: str = ""


PRESETS = (
    Preset(
        "seed-0.99",
        "The seed: 1000 days, w_h = 0.99",
        "0.5*1000",
        {"w_h": 0.99},
        "0.99¹⁰⁰⁰ = 4.317e-5",
        "Every day back multiplies the error signal by w_h·act′ = 0.99, so after 1000 days only 0.99¹⁰⁰⁰ = "
        "0.00004317 of it is left. Day 1's price can barely move the prediction: the gradient has vanished.",
    ),
    Preset(
        "seed-0.9",
        "The seed: 1000 days, w_h = 0.9",
        "0.5*1000",
        {"w_h": 0.9},
        "0.9¹⁰⁰⁰ = 1.748e-46",
        "0.9¹⁰⁰⁰ = 1.7e-46: gone for any practical purpose, yet float64 still holds it. Switch the precision to "
        "float32 and it underflows to exactly 0, as the seed says.",
    ),
    Preset(
        "seed-1.1",
        "The seed: 1000 days, w_h = 1.1",
        "0.5*1000",
        {"w_h": 1.1},
        "1.1¹⁰⁰⁰ = 2.470e41",
        "Every day back multiplies the signal by 1.1, so day 1 gets 1.1¹⁰⁰⁰ = 2.5e41 times the error. One "
        "gradient step would throw the weights far away: the gradient has exploded (try clipping).",
    ),
    Preset(
        "statquest-2",
        "StatQuest: 50 days, w_h = 2",
        "0.5*50",
        {"w_h": 2.0},
        "2⁵⁰ = 1.126e15",
        "StatQuest's example: with w_h = 2 the signal is doubled on each of the 50 days back, 2⁵⁰ ≈ 1.1e15. "
        "A gradient that large takes huge steps that overshoot the best weights.",
    ),
    Preset(
        "statquest-0.5",
        "StatQuest: 50 days, w_h = 0.5",
        "0.5*50",
        {"w_h": 0.5},
        "0.5⁵⁰ = 8.882e-16",
        "With w_h = 0.5 the signal is halved on each of the 50 days back, 0.5⁵⁰ ≈ 8.9e-16. What happened 50 "
        "days ago cannot teach the network anything.",
    ),
    Preset(
        "dead-relu",
        "A dead ReLU cuts the path",
        "1, 0, 1, 1",
        {},
        "act′(z₂) = 0",
        "On day 2 the pre-activation is 1.8×0 − 0.5×1.8 = −0.9 < 0, so ReLU outputs 0 and its slope is 0. "
        "Nothing flows back past day 2: days 1 and 2 cannot change the prediction at all.",
    ),
)
BY_KEY = {p.key: p for p in PRESETS}
