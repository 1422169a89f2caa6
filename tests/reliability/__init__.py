"""Reliability: fault injection, concurrency, tampering, hostile input and fuzzing.

Each test module runs in the default suite with a small number of trials; `python -m
tests.reliability --report` runs them at full size and writes docs/reliability.md.
"""
