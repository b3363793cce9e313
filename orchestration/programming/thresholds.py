"""Thresholds of the monitoring, read from ``programming/monitoring.yaml``: early warning and risk profile."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from orchestration.lib.config import REPO_ROOT

from .risk import RiskThresholds
from .scenario import ScenarioError

MONITORING_FILE = REPO_ROOT / "programming" / "monitoring.yaml"


class EarlyWarning(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_rate_months: int = Field(3, ge=1, le=12)
    margin: float = Field(0.05, ge=0, lt=1)
    # clients: warn when the year's projected clients of a product group exceed the programme by more than
    # ``margin``, or its share of the main group's clients is ``share_points`` away from the programme's
    share_points: float = Field(0.05, gt=0, lt=1)


class Monitoring(BaseModel):
    model_config = ConfigDict(extra="forbid")

    early_warning: EarlyWarning = Field(default_factory=EarlyWarning)
    risk_profile: RiskThresholds = Field(default_factory=RiskThresholds)


def load_monitoring(path: Path = MONITORING_FILE) -> Monitoring:
    source = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        return Monitoring.model_validate(raw or {})
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ScenarioError(f"{source}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
