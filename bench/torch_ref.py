"""PyTorch reference: the same Elman RNN forward + backward with autograd, run by an interpreter that has torch.

    python bench/torch_ref.py CASES.npz REPEATS.json  ->  JSON on stdout

Standalone on purpose (torch is not a project dependency): it imports only torch, numpy and the standard library.
CASES.npz holds, per case key "T,n,loss": the weights, xs and target that bench/core.py times with numpy.
The loop is the strongest plain idiom: input terms of all steps at once, then one addmv and one act per step.
"""

import json
import statistics
import sys
import time

import numpy as np
import torch

ACTS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda z: z}


def step_loop(w, xs, target, loss, act):
    """z_t = w_x x_t + W_h h_{t-1} + b, h_t = act(z_t), y_t = w_y . h_t + b_y; backward() of the loss."""
    u = torch.outer(xs, w["w_x"]) + w["b"]  # (T, n) input terms
    h = torch.zeros_like(w["b"])
    hs = []
    for u_t in u.unbind(0):
        h = act(torch.addmv(u_t, w["W_h"], h))
        hs.append(h)
    if loss == "last":
        L = 0.5 * (w["w_y"] @ h + w["b_y"] - target) ** 2
    else:
        L = 0.5 * ((torch.stack(hs) @ w["w_y"] + w["b_y"] - target) ** 2).sum()
    L.backward()
    return L


def run(data, key, repeats, act):
    w = {k: torch.tensor(data[f"{key}/{k}"], dtype=torch.float64, requires_grad=True) for k in
         ("w_x", "W_h", "b", "w_y", "b_y")}  # fmt: skip
    xs = torch.tensor(data[f"{key}/xs"], dtype=torch.float64)
    target = torch.tensor(data[f"{key}/target"], dtype=torch.float64)
    loss = key.split(",")[2]
    times = []
    for i in range(repeats + 1):  # the first run is a warm-up
        for p in w.values():
            p.grad = None
        start = time.perf_counter()
        L = step_loop(w, xs, target, loss, act)
        if i:
            times.append(time.perf_counter() - start)
    return {"ms": 1e3 * statistics.median(times), "loss": L.item(), "W_h": w["W_h"].grad.tolist()}


def main():
    data = np.load(sys.argv[1])
    repeats = json.loads(sys.argv[2])  # {key: repeats}
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cases": {}}
    for key, n_rep in repeats.items():
        out["cases"][key] = run(data, key, n_rep, ACTS[str(data["activation"])])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
