"""grip's command line: what a user does outside the Dagster UI.

grip generate   write synthetic demo feeds into the landing zone
grip prepare    parse the dbt project so Dagster can load it (done by make)
grip nightly    run the nightly build once, in this process
grip rebuild    rebuild the raw layer from the archive alone
grip where      print where the warehouse, reports and feeds are
grip status     the last nightly, its failed checks, parts not current, feed freshness
grip reports    render the report products of chosen periods (--period 2026-10 --period 2026-K3)
grip portal    the portal for the people who steer, on http://127.0.0.1:8510 (--extern: suppressed)
grip check     read the landing zone against the contract before the first nightly
grip scenario init   write a starter scenario from the municipality's own catalogue
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("grip")
    except PackageNotFoundError:
        return "onbekend (niet geïnstalleerd)"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-10-31") from exc


def cmd_generate(args: argparse.Namespace) -> int:
    from orchestration.lib.config import REPO_ROOT
    from synthetic.generate import GeneratorConfig, generate

    # generating needs no pseudonym key, so it does not go through settings()
    out = Path(args.out or os.environ.get("GRIP_DATA_DIR") or REPO_ROOT / "data")
    cfg = GeneratorConfig(
        out=out,
        seed=args.seed,
        scale=args.scale,
        start=args.start,
        municipalities=tuple(c for c in args.municipalities.split(",") if c),
        profile=args.profile,
    )
    if args.end:
        cfg.end = args.end
    summary = generate(cfg)
    print(
        f"SYNTHETIC feeds for {', '.join(cfg.municipalities)}: {summary['files']:,} files in {out / 'landing'}; "
        f"ground truth in {out / 'manifest'}"
    )
    return 0


def cmd_prepare(_: argparse.Namespace) -> int:
    from orchestration.dbt.project import prepare_dbt

    path = prepare_dbt()
    print(f"dbt manifest ready: {path}")
    return 0


def _instance(s):
    """The Dagster instance of the run history in ``s.dagster_home``, which the UI shows as well."""
    os.environ.setdefault("DAGSTER_HOME", str(s.dagster_home))
    s.dagster_home.mkdir(parents=True, exist_ok=True)
    from dagster import DagsterInstance

    return DagsterInstance.get()


def cmd_nightly(_: argparse.Namespace) -> int:
    from orchestration.lib.config import settings

    s = settings()
    instance = _instance(s)
    from orchestration.definitions import defs
    from orchestration.lib.resources import Warehouse
    from orchestration.status import tag_failed_checks

    job = defs.resolve_job_def("nightly")
    result = job.execute_in_process(
        instance=instance, run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    )
    failed = tag_failed_checks(instance, result.run_id)
    print("nightly build", "succeeded" if result.success else "FAILED", f"({failed} checks failed; see 'grip status')")
    reports_ok = True
    if result.success:
        from orchestration.reports.products import render_current

        reports_ok = render_current(defs, instance, Warehouse())
        print("report products", "written" if reports_ok else "FAILED")
    cmd_where(argparse.Namespace())
    return 0 if result.success and reports_ok else 1


def cmd_rebuild(_: argparse.Namespace) -> int:
    """Set the warehouse aside and load the raw layer again from the archive alone."""
    from orchestration.ingest.feeds import FEEDS
    from orchestration.ingest.landing import rebuild_from_archive
    from orchestration.lib.config import settings
    from orchestration.lib.warehouse import connect

    s = settings()
    if s.warehouse.exists():
        backup = s.warehouse.with_suffix(".before-rebuild.duckdb")
        s.warehouse.replace(backup)
        print(f"previous warehouse kept as {backup}")
    with connect(s) as con:
        outcomes = rebuild_from_archive(con, s, FEEDS)
    loaded = sum(o.status == "loaded" for o in outcomes)
    print(f"raw layer rebuilt from {s.archive_dir}: {loaded:,} deliveries loaded; run 'grip nightly' for the marts")
    return 0


def cmd_where(_: argparse.Namespace) -> int:
    from orchestration.lib.config import settings

    s = settings(need_key=False)
    print(f"warehouse (pipeline writes):  {s.warehouse}")
    print(f"warehouse (analysts read):    {s.published_warehouse}")
    print(f"parquet exports:              {s.exports_dir}")
    print(f"reports:                      {s.reports_dir}")
    print(f"landing / archive / quarantine: {s.landing_dir} | {s.archive_dir} | {s.quarantine_dir}")
    print(f"Dagster run history:          {s.dagster_home}")
    print(f"dbt docs (opens from disk):   {s.dbt_docs_dir / 'index.html'}")
    print(f"start here:                   {s.reports_dir / 'index.html'}")
    return 0


def cmd_status(_: argparse.Namespace) -> int:
    """How the last nightly went; non-zero when it failed or a part is not current."""
    from orchestration.lib.config import settings
    from orchestration.status import last_nightly, warehouse_state

    s = settings(need_key=False)
    nightly, state = last_nightly(s), warehouse_state(s)
    print("\n".join(nightly + state))
    failed = any(line.startswith("Laatste nachtelijke build: FAILURE") for line in nightly)
    return 1 if failed or any(line.startswith("Onderdelen die niet actueel") for line in state) else 0


def period_partition(text: str) -> tuple[str, str]:
    """'2026-10' -> (monthly job, '2026-10-01'); '2026-K3' -> (quarterly job, '2026-07-01')."""
    from orchestration.reports.products import monthly_job, quarterly_job

    try:
        if "-K" in text.upper():
            year, quarter = text.upper().split("-K")
            if quarter not in ("1", "2", "3", "4"):
                raise ValueError
            return quarterly_job.name, f"{int(year):04d}-{3 * int(quarter) - 2:02d}-01"
        month = dt.datetime.strptime(text, "%Y-%m")
        return monthly_job.name, f"{month:%Y-%m}-01"
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-10 or a quarter like 2026-K3") from None


def cmd_reports(args: argparse.Namespace) -> int:
    """Render the report products of the chosen periods from the published warehouse, in this process."""
    from orchestration.lib.config import settings

    s = settings()
    instance = _instance(s)
    from orchestration.definitions import defs

    ok = True
    for job, partition in args.period:
        result = defs.resolve_job_def(job).execute_in_process(partition_key=partition, instance=instance)
        print(f"{job} {partition}: {'written' if result.success else 'FAILED'}")
        ok = ok and result.success
    print(f"start here: {s.reports_dir / 'index.html'}")
    return 0 if ok else 1


def cmd_check(_: argparse.Namespace) -> int:
    """Read the landing zone against the contract; non-zero when something would block publication."""
    from orchestration.ingest.check import check_landing, render
    from orchestration.lib.config import settings

    s = settings()
    report = check_landing(s)
    print(render(report, s))
    return 1 if report.blocking else 0


def cmd_scenario_init(args: argparse.Namespace) -> int:
    """Write a starter scenario naming the municipality's own groups (programming/starter.py)."""
    from orchestration.lib.config import settings
    from orchestration.lib.warehouse import connect
    from orchestration.programming.scenario import load_scenarios
    from orchestration.programming.starter import starter_scenario

    s = settings()
    path = s.scenario_dir / f"{args.name}.yaml"
    if path.exists() and not args.force:
        print(f"{path} exists; choose another --name or pass --force", file=sys.stderr)
        return 2
    if not s.published_warehouse.exists():
        print("no published warehouse yet: run 'grip nightly' first (the starter reads the catalogue)", file=sys.stderr)
        return 2
    s.scenario_dir.mkdir(parents=True, exist_ok=True)
    others = [p for p in s.scenario_dir.glob("*.yaml") if p != path]
    adopted = not others or not any(sc.adopted for sc in load_scenarios(s.scenario_dir).scenarios)
    with connect(s, read_only=True) as con:
        text = starter_scenario(con, args.name, adopted, s.municipality)
    path.write_text(text, encoding="utf-8")
    print(f"starter scenario written: {path}{' (adopted)' if adopted else ''}")
    return 0


def cmd_portal(args: argparse.Namespace) -> int:
    import uvicorn

    from orchestration.lib.config import settings
    from orchestration.portal.app import create_app

    s = settings(need_key=False)  # reads the published copy only: no pseudonymising, so no key
    try:
        app = create_app(s, external=args.extern)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    mode = "extern (kleine aantallen onderdrukt)" if args.extern else "intern"
    print(f"grip portal, {mode}: http://{args.host}:{args.port}/  (stop with Ctrl+C)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="grip", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"grip {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write SYNTHETIC demo feeds and their ground truth")
    g.add_argument("--scale", type=float, default=1.0, help="1 = a city of ~167,000 like Haarlem; 0.05 for quick tests")
    g.add_argument("--seed", type=int, default=20200326, help="same seed, same bytes")
    g.add_argument(
        "--start", type=_date, default=dt.date(2018, 1, 1), help="first day of the feeds (default 2018-01-01)"
    )
    g.add_argument("--end", type=_date, default=None, help="last day delivered (default: end of last month)")
    g.add_argument(
        "--municipalities",
        default="",
        help="CBS codes, comma-separated (default: the profile's); several = a region with shared providers",
    )
    g.add_argument(
        "--profile",
        default="demo",
        choices=["demo", "velsen"],
        help="what the contract leaves open (synthetic/profiles.py): demo = Haarlem's catalogue; velsen = another "
        "code, wijken, product codes and group names, fewer sources, the product register late",
    )
    g.add_argument("--out", default=None, help="output folder (default: GRIP_DATA_DIR)")
    g.set_defaults(func=cmd_generate)

    sub.add_parser("prepare", help="parse the dbt project (writes dbt_project/target/manifest.json)").set_defaults(
        func=cmd_prepare
    )
    sub.add_parser("nightly", help="run the nightly job once, in this process").set_defaults(func=cmd_nightly)
    sub.add_parser("rebuild", help="rebuild the raw layer from the archive alone").set_defaults(func=cmd_rebuild)
    sub.add_parser("where", help="print where the outputs are").set_defaults(func=cmd_where)
    sub.add_parser("status", help="the last nightly, its failed checks, feed freshness").set_defaults(func=cmd_status)
    r = sub.add_parser("reports", help="render the report products of chosen periods")
    r.add_argument(
        "--period",
        type=period_partition,
        action="append",
        required=True,
        help="a month (2026-10: budgethoudersrapportage) or a quarter (2026-K3: the quarterly reports); repeatable",
    )
    r.set_defaults(func=cmd_reports)
    po = sub.add_parser("portal", help="serve the portal on the published warehouse")
    po.add_argument("--extern", action="store_true", help="external mode: small counts suppressed, nothing internal")
    po.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    po.add_argument("--port", type=int, default=8510, help="port (default 8510)")
    po.set_defaults(func=cmd_portal)
    sub.add_parser(
        "check", help="read the landing zone against the contract (run before the first nightly)"
    ).set_defaults(func=cmd_check)
    sc = sub.add_parser("scenario", help="programming scenarios").add_subparsers(dest="action", required=True)
    init = sc.add_parser("init", help="write a starter scenario from the municipality's own catalogue")
    init.add_argument("--name", default="start", help="file and scenario name (lowercase, digits, _)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file of that name")
    init.set_defaults(func=cmd_scenario_init)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
