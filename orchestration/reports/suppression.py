"""Small-count suppression for reports that leave the organisation.

Primary: every count below the threshold is hidden. Secondary: where a hidden cell could be
worked out from a total (the table's total row, or a derived figure such as cost per
client), a second cell is hidden as well, the smallest one left, so no hidden count can be
recovered by subtraction. Derived columns follow the count they are computed from.
"""

from __future__ import annotations

import pandas as pd

SUPPRESSED = "x"


def _hidden(values: pd.Series) -> pd.Series:
    return values.map(lambda v: isinstance(v, str) and v == SUPPRESSED)


def suppress(
    table: pd.DataFrame,
    counts: list[str],
    threshold: int,
    total_row: bool = False,
    derived: dict[str, str] | None = None,
) -> pd.DataFrame:
    out = table.copy().astype({c: object for c in counts + list(derived or {})})
    body = out.index[:-1] if total_row else out.index
    for col in counts:
        numeric = pd.to_numeric(out[col], errors="coerce")
        out.loc[numeric.notna() & (numeric < threshold), col] = SUPPRESSED
        if total_row:
            column = out.loc[body, col]
            hidden = _hidden(column)
            if hidden.sum() == 1:  # one hidden cell = total minus the others: hide the next smallest too
                shown = pd.to_numeric(column[~hidden], errors="coerce").dropna()
                if len(shown):
                    out.loc[shown.idxmin(), col] = SUPPRESSED
                else:
                    out.loc[out.index[-1], col] = SUPPRESSED
    for col, base in (derived or {}).items():
        out.loc[_hidden(out[base]), col] = SUPPRESSED
    return out
