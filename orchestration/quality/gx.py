"""A thin Great Expectations 1.x runner: suites from expectations/*.json, batches from DuckDB.

GX's SQL datasource does not work on DuckDB, so the batch is a pandas frame read from
DuckDB with only the columns the suite needs. dagster-ge supports GX below 1.0 only;
:func:`check_result` turns a validation into a Dagster asset-check result.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity

from orchestration.lib.config import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"


@dataclass
class Suite:
    name: str
    table: str
    description: str
    expectations: list[dict]

    @property
    def columns(self) -> list[str]:
        return sorted({e["kwargs"]["column"] for e in self.expectations if "column" in e["kwargs"]})


def load_suite(name: str, folder: Path = EXPECTATIONS_DIR) -> Suite:
    data = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return Suite(data["name"], data["table"], data.get("description", ""), data["expectations"])


def _expectation(spec: dict):
    import great_expectations as gx

    cls_name = "".join(part.capitalize() for part in spec["type"].split("_"))
    return getattr(gx.expectations, cls_name)(**spec["kwargs"])


def validate(suite: Suite, frame: pd.DataFrame) -> list[dict]:
    """Validate a frame; one dict per expectation with success and unexpected counts."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = (context.data_sources.add_pandas("grip").add_dataframe_asset(suite.name)
             .add_batch_definition_whole_dataframe("batch").get_batch(batch_parameters={"dataframe": frame}))
    result = batch.validate(gx.ExpectationSuite(name=suite.name, expectations=[_expectation(e) for e in suite.expectations]))
    return [{
        "expectation": r.expectation_config.type,
        "column": r.expectation_config.kwargs.get("column"),
        "success": bool(r.success),
        "element_count": r.result.get("element_count"),
        "unexpected_count": r.result.get("unexpected_count"),
    } for r in result.results]


def check_result(suite: Suite, outcomes: list[dict], severity: AssetCheckSeverity) -> AssetCheckResult:
    failed = [o for o in outcomes if not o["success"]]
    return AssetCheckResult(
        passed=not failed,
        severity=severity,
        description=suite.description,
        metadata={
            "expectations": len(outcomes),
            "failed": len(failed),
            "failures": "\n".join(f"{o['expectation']}({o['column']}): {o['unexpected_count']} of {o['element_count']}"
                                  for o in failed) or "none",
        },
    )
