"""Benchmarks: `python -m bench [--quick] [--torch-python PATH]` prints timings and sizes beside their goals.

Nothing here asserts on time: the figures depend on the machine and its load, so they are printed, not tested.
numpy's BLAS runs on one thread here, as PyTorch does in bench/torch_ref.py: the same work on the same core.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # read when numpy loads, so before anything imports it
