"""One configuration for Dagster, dbt and the CLI, read from environment variables.

Nothing is read at import time: call :func:`settings` when a value is needed, so tests
and the CLI can point grip at another data directory by setting variables first.
dbt reads the same variables in ``dbt_project/profiles.yml``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Used only when GRIP_DEMO=1 and no key is configured; never use it for real data.
DEMO_PSEUDONYM_KEY = "grip-demo-key-NOT-FOR-REAL-DATA"

# (variable, default, meaning): the README's configuration table lists each (tests/unit/test_config.py).
VARIABLES: list[tuple[str, str, str]] = [
    (
        "GRIP_DATA_DIR",
        "<repo>/data",
        "Root of landing/, archive/, quarantine/, warehouse/, reports/ and dagster_home/.",
    ),
    (
        "GRIP_WAREHOUSE",
        "$GRIP_DATA_DIR/warehouse/grip.duckdb",
        "DuckDB file the pipeline writes (one writer at a time).",
    ),
    (
        "GRIP_PUBLISHED_WAREHOUSE",
        "$GRIP_DATA_DIR/warehouse/grip_published.duckdb",
        "Read-only copy for analysts, replaced atomically after each build.",
    ),
    ("GRIP_MUNICIPALITY", "0392", "CBS code of the municipality (or comma-separated codes for a region)."),
    (
        "GRIP_PSEUDONYM_KEY",
        "(required unless GRIP_DEMO=1)",
        "Secret key for HMAC-SHA256 pseudonyms of BSNs and source client numbers.",
    ),
    ("GRIP_DEMO", "0", "1 = demo mode: synthetic data, built-in pseudonym key (with a loud warning)."),
    (
        "GRIP_XSD_DIR",
        "(unset)",
        "Folder with the official iWmo/iJw XSDs (iwmo/xsd, ijw/xsd); when set every message is schema-validated.",
    ),
    ("GRIP_DUCKDB_MEMORY_LIMIT", "4GB", "DuckDB memory_limit for pipeline connections."),
    ("GRIP_DUCKDB_THREADS", "2", "DuckDB threads for pipeline connections."),
    (
        "GRIP_WORKERS",
        "(number of CPUs)",
        "Worker processes for CPU-bound Python work: parsing deliveries, drawing report pages.",
    ),
    (
        "GRIP_DUCKDB_TEMP_DIR",
        "$GRIP_DATA_DIR/warehouse/tmp",
        "Where grip's own DuckDB connections spill beyond the memory limit (dbt spills to DuckDB's default, "
        "<warehouse>.tmp).",
    ),
    (
        "GRIP_DQ_RECENT_PERIODS",
        "13",
        "Data quality: delivery periods per table validated one by one on a first build; older ones per year.",
    ),
    (
        "GRIP_FEED_MAX_AGE_DAYS",
        "35",
        "A feed that has not delivered for this many days gets a warning (asset check feed_fresh).",
    ),
    (
        "GRIP_LINKAGE_RETENTION_DAYS",
        "0",
        "Remove names, birth dates and addresses kept for linkage after this many days (0 = keep).",
    ),
    (
        "GRIP_SCENARIO_DIR",
        "<repo>/programming/scenarios",
        "The municipality's programming scenarios (*.yaml); `grip scenario init` writes a starter from its catalogue.",
    ),
    (
        "GRIP_REPORT_CONTENT_DIR",
        "<repo>/reports",
        "What people edit about the reports: commentary (toelichting/<product>/<period>.md) and page templates.",
    ),
    (
        "GRIP_REPORT_MIN_COUNT",
        "10",
        "External reports: counts below this are suppressed, also where a total would reveal them.",
    ),
]


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse: Path
    published_warehouse: Path
    municipalities: tuple[str, ...]
    pseudonym_key: str
    demo: bool
    xsd_dir: Path | None
    duckdb_memory_limit: str
    duckdb_threads: int
    workers: int
    dq_recent_periods: int
    report_min_count: int
    feed_max_age_days: int
    linkage_retention_days: int
    scenario_dir: Path = REPO_ROOT / "programming" / "scenarios"
    report_content_dir: Path = REPO_ROOT / "reports"

    @staticmethod
    def content_dir_from(env: Mapping[str, str]) -> Path:
        return Path(env.get("GRIP_REPORT_CONTENT_DIR") or REPO_ROOT / "reports").resolve()

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def dbt_docs_dir(self) -> Path:
        """The dbt docs site, one self-contained page that opens from disk (``dbt docs generate --static``)."""
        return self.data_dir / "dbt_docs"

    @property
    def exports_dir(self) -> Path:
        """Parquet exports of the marts, one folder per mart, for tools that cannot open DuckDB."""
        return self.data_dir / "exports"

    @property
    def manifest_dir(self) -> Path:
        """Ground truth written by the synthetic generator (never read by the pipeline)."""
        return self.data_dir / "manifest"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def municipality(self) -> str:
        return self.municipalities[0]

    @property
    def duckdb_temp_dir(self) -> Path:
        return Path(os.environ.get("GRIP_DUCKDB_TEMP_DIR") or self.warehouse.parent / "tmp")

    def duckdb_config(self) -> dict[str, str | bool | int | float | list[str]]:
        """Bounded memory at every scale: a limit, and a place to spill beyond it."""
        return {
            "memory_limit": self.duckdb_memory_limit,
            "threads": self.duckdb_threads,
            "temp_directory": str(self.duckdb_temp_dir),
        }

    def dbt_env(self) -> dict[str, str]:
        """Variables dbt needs, so dbt and Dagster always agree on the warehouse."""
        return {
            "GRIP_DATA_DIR": str(self.data_dir),
            "GRIP_WAREHOUSE": str(self.warehouse),
            "GRIP_MUNICIPALITY": ",".join(self.municipalities),
            "GRIP_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "GRIP_DUCKDB_THREADS": str(self.duckdb_threads),
        }


class ConfigError(RuntimeError):
    """A configuration value is missing or wrong; the message names the variable."""


def report_content_dir() -> Path:
    """Where people keep what they edit about the reports (commentary, templates). Rendering reads
    it on its own, without the rest of the settings (which would want a pseudonymisation key)."""
    return Settings.content_dir_from(os.environ)


def settings(env: dict[str, str] | None = None, need_key: bool = True) -> Settings:
    """The configuration from the environment. ``need_key=False`` for commands that only read paths and
    published state (``grip where``, ``grip status``): they never pseudonymise, so they need no key."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("GRIP_DATA_DIR") or REPO_ROOT / "data").resolve()
    demo = env.get("GRIP_DEMO", "0").strip().lower() in {"1", "true", "yes"}
    key = env.get("GRIP_PSEUDONYM_KEY", "")
    if not key and need_key:
        if not demo:
            raise ConfigError(
                "GRIP_PSEUDONYM_KEY is not set. Set a secret key, or GRIP_DEMO=1 for synthetic demo data."
            )
        warnings.warn(
            "GRIP_DEMO=1: using the built-in pseudonymisation key. Never load real client data this way.",
            stacklevel=2,
        )
        key = DEMO_PSEUDONYM_KEY
    municipalities = tuple(c.strip() for c in env.get("GRIP_MUNICIPALITY", "0392").split(",") if c.strip())
    for code in municipalities:
        if not (len(code) == 4 and code.isdigit()):
            raise ConfigError(f"GRIP_MUNICIPALITY: {code!r} is not a four-digit CBS municipality code")
    xsd = env.get("GRIP_XSD_DIR")
    threads = env.get("GRIP_DUCKDB_THREADS", "2")
    workers = env.get("GRIP_WORKERS", str(os.cpu_count() or 1))
    recent = env.get("GRIP_DQ_RECENT_PERIODS", "13")
    min_count = env.get("GRIP_REPORT_MIN_COUNT", "10")
    max_age = env.get("GRIP_FEED_MAX_AGE_DAYS", "35")
    retention = env.get("GRIP_LINKAGE_RETENTION_DAYS", "0")
    if not retention.isdigit():
        raise ConfigError(f"GRIP_LINKAGE_RETENTION_DAYS: {retention!r} is not a whole number of days")
    for name, value in (
        ("GRIP_DUCKDB_THREADS", threads),
        ("GRIP_WORKERS", workers),
        ("GRIP_DQ_RECENT_PERIODS", recent),
        ("GRIP_REPORT_MIN_COUNT", min_count),
        ("GRIP_FEED_MAX_AGE_DAYS", max_age),
    ):
        if not value.isdigit() or int(value) < 1:
            raise ConfigError(f"{name}: {value!r} is not a positive whole number")
    return Settings(
        data_dir=data_dir,
        warehouse=Path(env.get("GRIP_WAREHOUSE") or data_dir / "warehouse" / "grip.duckdb").resolve(),
        published_warehouse=Path(
            env.get("GRIP_PUBLISHED_WAREHOUSE") or data_dir / "warehouse" / "grip_published.duckdb"
        ).resolve(),
        municipalities=municipalities,
        pseudonym_key=key,
        demo=demo,
        xsd_dir=Path(xsd).resolve() if xsd else None,
        dq_recent_periods=int(recent),
        report_min_count=int(min_count),
        feed_max_age_days=int(max_age),
        linkage_retention_days=int(retention),
        duckdb_memory_limit=env.get("GRIP_DUCKDB_MEMORY_LIMIT", "4GB"),
        duckdb_threads=int(threads),
        workers=int(workers),
        scenario_dir=Path(env.get("GRIP_SCENARIO_DIR") or REPO_ROOT / "programming" / "scenarios").resolve(),
        report_content_dir=Settings.content_dir_from(env),
    )
