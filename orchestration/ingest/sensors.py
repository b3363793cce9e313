"""Start the nightly job as soon as a new delivery lands, instead of waiting for 02:00."""

import hashlib

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from orchestration.lib.resources import Warehouse


@sensor(
    job_name="nightly",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Runs the nightly job when files appear in the landing zone.",
)
def landing_sensor(context: SensorEvaluationContext, warehouse: Warehouse):
    landing = warehouse.settings.landing_dir
    files = (
        sorted(str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file() and p.name != "SYNTHETIC.md")
        if landing.exists()
        else []
    )
    if not files:
        return SkipReason("the landing zone is empty")
    fingerprint = hashlib.sha256("\n".join(files).encode()).hexdigest()[:16]
    if fingerprint == context.cursor:
        return SkipReason(f"{len(files)} file(s) already handed to a run")
    context.update_cursor(fingerprint)
    return RunRequest(run_key=f"landing-{fingerprint}", tags={"grip/trigger": "landing", "grip/files": str(len(files))})
