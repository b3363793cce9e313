"""Numbers as Dutch readers write them: 1.234.567,8 and 12,3% and € 1.234."""

from __future__ import annotations

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

# How support is paid (the financing cross-section). A personal budget has no contracted provider: all pgb
# is one member of the provider dimension too (docs/definitions.md).
FINANCING = {"zin": "zorg in natura", "pgb": "persoonsgebonden budget (pgb)"}


def number(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def percent(share: float, decimals: int = 1) -> str:
    """A share (0.123) as a percentage ('12,3%')."""
    return f"{number(100 * share, decimals)}%"


def euros(cents: float) -> str:
    """Eurocents as whole euros."""
    return f"€ {number(cents / 100)}"
