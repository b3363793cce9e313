"""Benchmarks that print figures (speed and memory targets are measured, not asserted in tests)."""
