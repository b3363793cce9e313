"""dbt models, seeds and tests become assets and asset checks (keys and groups: lib/dbt_translator.py).

Python assets refer to a dbt model through :func:`dbt_key`, which reads the key from the
manifest, so a renamed or moved model fails at load time instead of leaving a dangling key.
"""

import hashlib
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetMaterialization, AssetObservation, Output, RetryRequested
from dagster_dbt import DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets, get_asset_key_for_model

from orchestration.lib.crash import crash_point
from orchestration.lib.dbt_translator import GripTranslator
from orchestration.lib.resources import Warehouse
from orchestration.lib.table_metadata import column_descriptions, table_metadata

from .project import dbt_project, manifest_path

# dbt builds again from the start when its process was killed by a signal: DuckDB 2.0.0 segfaulted
# in 3 of 4 scale-10 builds and passed on a second try (docs/performance.md). Failing models and
# tests are not retried: they fail the run at once.
DBT_CRASH_RETRIES = 2


@dbt_assets(
    manifest=manifest_path(),
    project=dbt_project,
    dagster_dbt_translator=GripTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    # dbt runs as a subprocess: give it the same warehouse as Dagster (absolute paths), for this run only.
    s = warehouse.settings
    with _environment(s.dbt_env()):
        invocation = dbt.cli(["build"], context=context, raise_on_error=False)
        built = []
        for event in invocation.stream():
            crash_point("dbt.event")
            if isinstance(event, Output):
                built.append(context.asset_key_for_output(event.output_name))
            elif isinstance(event, AssetMaterialization):
                built.append(event.asset_key)
            yield event
        yield from observe_tables(context, warehouse, built)  # dbt has exited: its write lock is free
        if error := invocation.get_error():
            if invocation.process.returncode < 0:  # killed by a signal: a crash, not a failing model or test
                raise RetryRequested(max_retries=DBT_CRASH_RETRIES, seconds_to_wait=5) from error
            raise error
        # where dagster-dbt copies the state from: DBT_TARGET_PATH, relative to the project, as it reads it
        keep_parse_state(invocation.target_path, dbt_project.project_dir / os.getenv("DBT_TARGET_PATH", "target"))
        publish_docs(dbt, context, s.dbt_docs_dir, invocation.target_path)


def keep_parse_state(run_target: Path, project_target: Path) -> None:
    """Leave this build's parse state where the next dbt invocation looks for it.

    dagster-dbt gives each build a target folder of its own and copies ``partial_parse.msgpack`` into it
    from the project's target folder, which ``grip prepare`` filled. That state was parsed with another
    profile (no warehouse yet), so dbt refused it and parsed the whole project again every night: 2.6 s of
    a quiet night's dbt stage at scale 1. The state of a successful build is parsed with this warehouse's
    profile, so the next night's build can use it; dbt itself still parses again what changed since.
    The docs site's fixed target folder gets it too: dagster-dbt copies the state only into a folder that
    has none, so the docs kept the state of their first generation and parsed everything again.
    """
    state = run_target / "partial_parse.msgpack"
    if state.exists():
        project_target.mkdir(parents=True, exist_ok=True)
        tmp = project_target / f".partial_parse.{os.getpid()}.tmp"
        shutil.copyfile(state, tmp)
        tmp.replace(project_target / "partial_parse.msgpack")  # a build starting meanwhile reads either, whole


def observe_tables(context: AssetExecutionContext, warehouse: Warehouse, keys: list[AssetKey]):
    """Row count and column types of every model and seed this build wrote, as an observation on its
    asset (keys are [schema, name], as the translator makes them)."""
    specs = context.assets_def.specs_by_key
    with warehouse.connect() as con:
        for key in keys:
            if len(key.path) != 2:
                continue
            descriptions = column_descriptions(specs[key].metadata) if key in specs else {}
            metadata = table_metadata(con, key.path[0], key.path[1], descriptions)
            if metadata:
                yield AssetObservation(asset_key=key, metadata=metadata)


@contextmanager
def _environment(values: dict[str, str]):
    """Set variables for the dbt subprocesses and restore the previous ones afterwards, so a later
    run in the same process (tests, the CLI) never inherits this run's warehouse paths."""
    previous = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def dbt_key(name: str) -> AssetKey:
    """The asset key of a dbt model or seed, as the manifest and the translator give it."""
    return get_asset_key_for_model([dbt_models], name)


def publish_docs(dbt: DbtCliResource, context: AssetExecutionContext, target: Path, run_target: Path) -> None:
    """Generate the dbt docs site as one self-contained page (opens from disk) and copy it where analysts
    find it, when the project changed:
    the site describes models and columns, not data, and generating it costs a dbt start-up
    (``run_target``: the build's target folder, whose parse state the docs start from)."""
    stamp = target / "manifest.sha256"
    digest = hashlib.sha256(manifest_path().read_bytes() + b"static").hexdigest()  # a site from before --static goes
    if stamp.exists() and stamp.read_text() == digest and (target / "index.html").exists():
        context.log.info(f"dbt docs site unchanged: {target / 'index.html'}")
        return
    docs_target = dbt_project.project_dir / "target" / "docs"
    keep_parse_state(run_target, docs_target)
    # --static writes static_index.html with the manifest and catalog inside: browsers refuse the separate JSON
    # files over file://, so the plain index.html is blank when opened from disk
    invocation = dbt.cli(["docs", "generate", "--static"], raise_on_error=False, target_path=docs_target)
    invocation.wait()
    if not invocation.is_successful():
        context.log.warning("dbt docs generate failed; the previous docs site stays in place")
        return
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(docs_target / "static_index.html", target / "index.html")
    for name in ("manifest.json", "catalog.json"):  # for tools that read them (lineage, catalogues)
        shutil.copyfile(docs_target / name, target / name)
    stamp.write_text(digest)
    context.log.info(f"dbt docs site: {target / 'index.html'}")
