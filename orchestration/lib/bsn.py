"""The Dutch citizen service number (BSN) and its check ("elfproef")."""

from __future__ import annotations


def elfproef(bsn: str | None) -> bool:
    """True when ``bsn`` is nine digits with 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11.

    An all-zero number passes the arithmetic but is not a BSN, so it is refused.
    """
    if bsn is None or len(bsn) != 9 or not bsn.isdigit() or bsn == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(bsn[:8], range(9, 1, -1), strict=True)) - int(bsn[8])
    return total % 11 == 0
