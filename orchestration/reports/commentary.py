"""The analysts' commentary ("Toelichting"): a short Markdown text per report and period that
people write beside the figures, in ``reports/toelichting/<product>/<period>.md`` (or
``<period>-<law>.md`` for one law's edition), under GRIP_REPORT_CONTENT_DIR. A report without
one says so, so a reader knows nothing was left out by accident."""

from __future__ import annotations

import pandas as pd

from orchestration.lib.config import report_content_dir

from .document import Section

TITLE = "Toelichting"


def commentary(product: str, period: str, law: str | None = None) -> Section:
    """The section for ``product`` (budgethouder, voortgang, aanbieders, wijken) and ``period``
    (2026-10, 2026-K3): the law's own file first, then the one for every edition."""
    root = report_content_dir()
    folder = root / "toelichting" / product
    names = ([f"{period}-{law}.md"] if law else []) + [f"{period}.md"]
    for name in names:
        path = folder / name
        text = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
        if text:
            return Section(TITLE, pd.DataFrame(), {}, prose=text, key="toelichting")
    where = f"toelichting/{product}/{names[-1]}"
    return Section(
        TITLE,
        pd.DataFrame(),
        {},
        prose="Voor deze rapportage en periode is geen toelichting geschreven.",
        key="toelichting",
        text=f"Een toelichting schrijft u in {where} (zie reports/README.md); de volgende nacht staat ze hier.",
    )


def guide(product: str) -> str:
    """'Hoe lees ik dit' of a product: the methods in plain words, from ``reports/uitleg/<product>.md``
    under GRIP_REPORT_CONTENT_DIR; empty when there is none."""
    path = report_content_dir() / "uitleg" / f"{product}.md"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""
