"""Swap a dependency for every dependent at once: the whole set uses numpy 1.26.

`pybuild shell --overlay …/numpy_1_everywhere.py -p matplotlib` gives matplotlib (and anything
else that needs numpy) built against, and running with, `numpy_1`: because recipes take their
inputs from the final set, one line here reaches every dependent.

It works on Python 3.10 to 3.12: numpy 1.26 has no wheel for 3.13 or later, so there its
recipe (and every package that then needs it) is refused as unsupported.
"""


def overlay(final, prev):
    return {"numpy": prev.numpy_1}
