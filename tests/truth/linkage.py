"""The true links between STAPP/CJG persons and SUITE4 clients, from the generator's manifest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from orchestration.lib.config import DEMO_PSEUDONYM_KEY
from orchestration.lib.pseudonym import pseudonymise


def _key(value, domain: str) -> str | None:
    return pseudonymise(value, DEMO_PSEUDONYM_KEY, domain) if isinstance(value, str) else None


def true_links(manifest: Path) -> dict[str, pd.DataFrame]:
    """Per source: source_key -> the SUITE4 client number's key, or None for a person SUITE4 does not know."""
    number_of = pd.read_parquet(manifest / "clients.parquet").set_index("bsn")["clientnummer"]
    s = pd.read_parquet(manifest / "links_stapp.parquet")
    c = pd.read_parquet(manifest / "links_cjg.parquet")
    return {
        "stapp": pd.DataFrame(
            {
                "source_key": [_key(k, "stapp") for k in s["klantnummer"]],
                "suite4_key": [_key(n, "suite4") for n in s["clientnummer"]],
            }
        ),
        "cjg": pd.DataFrame(
            {
                "source_key": [_key(k, "cjg") for k in c["cjg_id"]],
                "suite4_key": [_key(number_of.get(b), "suite4") for b in c["bsn"]],
            }
        ),
    }
