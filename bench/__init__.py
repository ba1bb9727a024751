"""Benchmarks: `python -m bench [--quick] [--torch-python PATH]` prints timings and sizes beside their goals.

Nothing here asserts on time: the figures depend on the machine and its load, so they are printed, not tested.
"""
