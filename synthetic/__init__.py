"""Synthetic source feeds for a Haarlem-like municipality, with a ground-truth manifest.

Real client data never ships with grip; the demo, the tests and the benchmarks run on
feeds generated here, in the formats of the real systems and with realistic defects.
"""
