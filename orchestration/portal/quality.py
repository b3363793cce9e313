"""The data-quality state on the portal's start page: can the figures above it be trusted?

The short version of the data-quality report (``reports/datakwaliteit``) for a reader who steers:
how many data elements are in each category of 003's method, how many questions can be answered,
what was refused at the door and which sources were not delivered. The full report, per element and
delivery, is one click away.
"""

from __future__ import annotations

import pandas as pd

from orchestration.reports.blocks import table_exists
from orchestration.reports.datakwaliteit import missing_sources, refusals
from orchestration.reports.document import Section


def state(con) -> dict:
    """Categories of the data elements, feasibility of the questions, refusals and missing sources."""
    if not table_exists(con, "quality", "element_status"):
        return {"available": False}
    categories = con.execute(
        """select upper(category) as category, any_value(category_label) as label, count(*) as elements,
                  count(*) filter (where warning is not null) as signals
           from quality.element_status group by category order by category"""
    ).df()
    feasibility = con.execute(
        """select feasibility_label as label, count(*) as questions from quality.question_feasibility
           group by all order by min(feasibility) desc"""
    ).df()
    refused = len(refusals(con))
    missing = [f"{feed} ({source})" for _, feed, source in missing_sources(con)]
    return {
        "available": True,
        "categories": Section(
            "Data-elementen per categorie",
            categories,
            {"category": "text", "label": "text", "elements": "int", "signals": "int"},
            {"category": "categorie", "label": "betekenis", "elements": "data-elementen", "signals": "met een signaal"},
            key="categorieen",
        ),
        "feasibility": Section(
            "Informatievragen naar haalbaarheid",
            feasibility,
            {"label": "text", "questions": "int"},
            {"label": "haalbaarheid", "questions": "informatievragen"},
            key="haalbaarheid",
        ),
        "refused": int(refused),
        "missing": missing,
        "signals": int(pd.to_numeric(categories["signals"]).sum()),
    }
