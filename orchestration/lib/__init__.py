"""Shared library of grip: configuration, warehouse access and pure domain logic.

Everything here is plain Python with unit tests; Dagster assets call into it and stay thin.
"""
