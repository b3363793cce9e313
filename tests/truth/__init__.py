"""Independent calculations of grip's figures from the generator's ground truth (pandas, not SQL).

Each function states the definition of docs/definitions.md in its own terms, so a test that
compares it with the warehouse checks the SQL against a second implementation.
"""
