"""Swap a dependency for every dependent at once: the whole set uses numpy 1.26.

`pybuild shell --overlay …/numpy_1_everywhere.py -p matplotlib` gives matplotlib (and anything
else that needs numpy) built against, and running with, `numpy_1`: because recipes take their
inputs from the final set, one line here reaches every dependent.
"""


def overlay(final, prev):
    return {"numpy": prev.numpy_1}
