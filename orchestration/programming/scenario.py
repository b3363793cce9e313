"""Scenario definitions: one YAML file per scenario in ``programming/scenarios/``.

A scenario is a policy choice written down (003 §2.4.2): how the clients of each main
product group (hoofdgroep) are expected to develop, how they should shift between the
product groups inside it, what a client may cost, how volumes are divided over providers
and wijken. Policy advisers edit these files, so every error names the file and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from orchestration.lib.config import REPO_ROOT

SCENARIO_DIR = REPO_ROOT / "programming" / "scenarios"
Trend = Literal["auto", "damped", "linear", "none"]  # auto: the method with the lowest backtest error
SHARE_TOLERANCE = 0.001


class ScenarioError(ValueError):
    """A scenario file (or launchpad override) that cannot be used; the message names file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GroupPlan(_Strict):
    """The desired movement inside one main product group."""

    trend: Trend | None = Field(None, description="Forecast method for the group's clients; default: the scenario's.")
    years_to_target: int | None = Field(
        None, ge=1, description="Years after the base year in which the movement is complete; default: the horizon."
    )
    target_shares: dict[str, float] | None = Field(
        None,
        description="Share of the group's clients per product group in the target year; "
        "moves linearly from the base year.",
    )
    duration_change: dict[str, float] = Field(
        default_factory=dict,
        description="Relative change of the average cost per client through shorter duration, per product group.",
    )
    intensity_change: dict[str, float] = Field(
        default_factory=dict,
        description="Relative change of the average cost per client through lower intensity, per product group.",
    )

    @field_validator("target_shares")
    @classmethod
    def _shares(cls, shares: dict[str, float] | None) -> dict[str, float] | None:
        if shares is None:
            return None
        bad = {k: v for k, v in shares.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"shares must lie between 0 and 1: {bad}")
        total = sum(shares.values())
        if abs(total - 1) > SHARE_TOLERANCE:
            raise ValueError(f"shares must add up to 1, they add up to {total:.3f}")
        return shares

    @field_validator("duration_change", "intensity_change")
    @classmethod
    def _changes(cls, changes: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in changes.items() if not -0.9 <= v <= 1}
        if bad:
            raise ValueError(f"a change is a fraction between -0.9 and 1 (-0.1 = 10% lower): {bad}")
        return changes


class WijkPlan(_Strict):
    """The desired ratio between first line (SWT/CJG) and specialist ambulatory care per wijk."""

    first_line_share: float = Field(
        gt=0, lt=1, description="Target share of first-line-only clients among all clients with ambulatory support."
    )
    years_to_target: int | None = Field(None, ge=1)


class Scenario(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    description: str = ""
    adopted: bool = Field(False, description="The programme the council adopted: its ceilings are monitored.")
    base_year: int | None = Field(
        None,
        ge=2000,
        le=2100,
        description="Last year of history; default: the year before the month the figures are at.",
    )
    horizon_years: int = Field(4, ge=1, le=10)
    trend: Trend = "auto"
    indexation: float = Field(0.025, ge=-0.05, le=0.2, description="Yearly tariff indexation.")
    provider_split: Literal["historical", "equal"] = "historical"
    groups: dict[str, GroupPlan] = Field(default_factory=dict, description="Per main product group (hoofdgroep).")
    wijken: dict[Literal["wmo", "jeugd"], WijkPlan] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _targets_within_horizon(self) -> Scenario:
        plans = [(f"groups.{k}", p) for k, p in self.groups.items()] + [
            (f"wijken.{k}", p) for k, p in self.wijken.items()
        ]
        for where, plan in plans:
            if plan.years_to_target is not None and plan.years_to_target > self.horizon_years:
                raise ValueError(
                    f"{where}.years_to_target {plan.years_to_target} lies beyond horizon_years {self.horizon_years}"
                )
        return self

    def target_year(self, plan: GroupPlan | WijkPlan | None) -> int:
        """The year a plan's movement is complete (the scenario must have its base year)."""
        return self.base_year + ((plan.years_to_target if plan else None) or self.horizon_years)

    def years(self, base_year: int) -> list[int]:
        return list(range(base_year + 1, base_year + self.horizon_years + 1))

    def with_base_year(self, base_year: int) -> Scenario:
        """The scenario anchored to a base year, unless its file sets one."""
        return _validate({**self.model_dump(), "base_year": self.base_year or base_year}, f"scenario {self.name}")

    def unknown_groups(self, product_groups: dict[str, set[str]], source: str) -> list[str]:
        """What the scenario names that the municipality's catalogue does not have: one message per field,
        naming the file, the field, the unknown names and the names that do exist. Empty when it fits."""
        problems = []
        for name, plan in self.groups.items():
            if name not in product_groups:
                problems.append(
                    f"{source}: groups.{name}: onbekende hoofdgroep; bekend zijn: {', '.join(sorted(product_groups))}"
                )
                continue
            for field in ("target_shares", "duration_change", "intensity_change"):
                unknown = set(getattr(plan, field) or {}) - product_groups[name]
                if unknown:
                    problems.append(
                        f"{source}: groups.{name}.{field}: onbekende productgroep(en) "
                        f"{', '.join(sorted(unknown))}; bekend zijn: {', '.join(sorted(product_groups[name]))}"
                    )
        return problems


def _deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _validate(raw: object, source: str) -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{source}: expected a mapping of fields, got {type(raw).__name__}")
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(scenario)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ScenarioError(f"{source}: {field}: {first['msg']}{more}") from None


def parse_overrides(text: str) -> dict[str, dict]:
    """Launchpad overrides: YAML mapping scenario name -> fields to replace (merged deeply)."""
    if not text.strip():
        return {}
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"launchpad override: not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise ScenarioError("launchpad override: expected 'scenario_name: {field: value, ...}' per scenario")
    return raw


@dataclass
class Loaded:
    """The scenario files that could be used, and one message per file that could not (skipped)."""

    scenarios: list[Scenario] = dc_field(default_factory=list)
    skipped: list[str] = dc_field(default_factory=list)


def _source(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def _load_file(path: Path, overrides: dict[str, dict]) -> Scenario:
    source = _source(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" op regel {mark.line + 1}, kolom {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{source}: geen geldige YAML{where}: {problem}") from None
    name = raw.get("name") if isinstance(raw, dict) else None
    if name != path.stem:
        raise ScenarioError(f"{source}: name: moet gelijk zijn aan de bestandsnaam '{path.stem}', is {name!r}")
    if name in overrides:
        raw, source = _deep_merge(raw, overrides.pop(name)), f"{source} (with launchpad override)"
    return _validate(raw, source)


def load_scenarios(
    folder: Path = SCENARIO_DIR, overrides: dict[str, dict] | None = None, adopted: str | None = None
) -> Loaded:
    """Every ``*.yaml`` in the folder, validated. A file that cannot be used is skipped with its reason,
    so one file edited wrongly never withholds the other scenarios. What the person starting a run typed
    (an override or the adopted scenario in the launchpad) must fit, or the run stops at once."""
    overrides = dict(overrides or {})
    out = Loaded()
    for path in sorted(folder.glob("*.yaml")):
        typed = path.stem in overrides
        try:
            out.scenarios.append(_load_file(path, overrides))
        except ScenarioError as exc:
            if typed:
                raise
            out.skipped.append(str(exc))
    if overrides:
        raise ScenarioError(f"launchpad override: unknown scenario(s) {', '.join(sorted(overrides))}")
    if not out.scenarios:
        raise ScenarioError(
            f"{folder}: no usable scenario files (*.yaml); "
            + ("; ".join(out.skipped) if out.skipped else "write one with `grip scenario init`")
        )
    if adopted is not None:
        if adopted not in {s.name for s in out.scenarios}:
            raise ScenarioError(f"launchpad: adopted_scenario: unknown or skipped scenario {adopted!r}")
        out.scenarios = [s.model_copy(update={"adopted": s.name == adopted}) for s in out.scenarios]
    chosen = [s.name for s in out.scenarios if s.adopted]
    if len(chosen) > 1:
        raise ScenarioError(f"{folder}: adopted: at most one scenario can be adopted, found {', '.join(chosen)}")
    return out
