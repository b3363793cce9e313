"""``grip check``: the landing zone read against the contract, before the first nightly.

A new municipality points grip at its landing zone and wants to know, before anything is
loaded, what grip will make of it: per feed the files that would load, what would be
quarantined and why, the rows that would be rejected, the registers that are missing, the
product codes in the messages that its product register does not know, and the key clashes
that would stop publication. The same parser as the nightly reads every file (in workers),
so what ``grip check`` says is what the nightly will do; nothing is written or moved.
Exit status 1 when something would block publication (a broken key), else 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.config import Settings
from orchestration.lib.dutch import number
from orchestration.quality.catalogue import load_suite

from .feeds import FEEDS, Feed
from .landing import pending_files, read_deliveries

REGISTERS = ("suite4_clienten", "suite4_aanbieders", "suite4_producten", "suite4_budget")
CODES = {"ist_toewijzingen": "productcode", "ist_declaratieregels": "productcode"}  # product codes in messages
EXAMPLES = 5


@dataclass
class FeedCheck:
    feed: Feed
    files: int = 0
    loaded_before: int = 0  # same content as a delivery the warehouse already holds
    duplicates: int = 0  # same content as another file in the landing zone
    rows: int = 0
    quarantined: list[str] = field(default_factory=list)  # "file: reason"
    rejected: Counter = field(default_factory=Counter)  # rule -> rows
    rejected_examples: list[str] = field(default_factory=list)
    key_clashes: list[str] = field(default_factory=list)


@dataclass
class LandingCheck:
    feeds: list[FeedCheck]
    missing_registers: list[str]
    unknown_codes: dict[str, int]  # product code -> rows in the messages

    @property
    def blocking(self) -> list[str]:
        return [c for f in self.feeds for c in f.key_clashes]


def _keys(table: str) -> list[list[str]]:
    """The columns of each key the blocking ``keys_unique`` check validates: the kept suite's key
    expectations. A key unique within a delivery period is checked within each file here."""
    try:
        suite = load_suite(f"raw.{table}")
    except FileNotFoundError:
        return []
    return [
        ["_file" if c == "_period" else c for c in e["kwargs"].get("column_list") or [e["kwargs"]["column"]]]
        for e in suite["expectations"]
        if e["meta"]["measure"] == "key"
    ]


def _clashes(table: str, frames: list[pa.Table], s: Settings) -> list[str]:
    """Keys that repeat within one delivery (uniek) or across the landing zone (uniek_overal)."""
    if not frames:
        return []
    con = duckdb.connect(config=s.duckdb_config())
    con.register("rows", pa.concat_tables(frames, promote_options="default"))
    out = []
    for key in _keys(table):
        columns = [c for c in key if c != "_file"]
        group = ", ".join(key)
        for row in con.execute(
            f"select {group}, count(*) from rows where {columns[0]} is not null group by {group} having count(*) > 1 "
            f"order by count(*) desc limit {EXAMPLES}"
        ).fetchall():
            where = f" in {row[key.index('_file')]}" if "_file" in key else ""
            values = tuple(v for c, v in zip(key, row, strict=False) if c != "_file")
            out.append(f"raw.{table}: key ({', '.join(columns)}) = {values} occurs {row[-1]} times{where}")
    con.close()
    return out


@dataclass
class _Loaded:
    """What the warehouse already holds, read once: delivery hashes, feeds that delivered, product codes."""

    ids: set[str] = field(default_factory=set)
    feeds: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)


def _loaded(s: Settings) -> _Loaded:
    out = _Loaded()
    if not s.warehouse.exists():
        return out
    con = duckdb.connect(str(s.warehouse), read_only=True, config=s.duckdb_config())
    try:
        for delivery_id, feed in con.execute(
            "select delivery_id, entity from raw.ingest_log where status = 'loaded'"
        ).fetchall():
            out.ids.add(delivery_id)
            out.feeds.add(feed)
        out.codes = {r[0] for r in con.execute("select distinct productcode from raw.suite4_producten").fetchall()}
    except duckdb.CatalogException:  # a warehouse without these tables yet
        pass
    finally:
        con.close()
    return out


def check_landing(s: Settings) -> LandingCheck:
    before = _loaded(s)
    loaded = before.ids
    checks, tables = [], {}
    for feed in FEEDS:
        check = FeedCheck(feed)
        paths = pending_files(s.landing_dir, feed.pattern)
        check.files = len(paths)
        seen: set[str] = set()
        for chunk in read_deliveries(paths, feed, s, s.landing_dir):
            repeated = set()
            for d in chunk.deliveries:
                if d.delivery_id in loaded:
                    check.loaded_before += 1
                    repeated.add(d.delivery_id)
                elif d.delivery_id in seen:  # the same content twice in the landing zone: loaded once
                    check.duplicates += 1
                    repeated.add(d.delivery_id)
                elif d.error is not None:
                    check.quarantined.append(f"{d.rel}: {d.error}")
                seen.add(d.delivery_id)
                for r in d.rejected:
                    check.rejected[r.rule] += 1
                    if len(check.rejected_examples) < EXAMPLES:
                        check.rejected_examples.append(f"{d.rel} regel {r.line}: {r.rule}: {r.message}")
            for relation, table in chunk.tables.items():
                if repeated:
                    table = table.filter(pc.invert(pc.is_in(table["_delivery_id"], pa.array(sorted(repeated)))))
                if relation.startswith("raw."):
                    check.rows += table.num_rows
                    tables.setdefault(relation[4:], []).append(table)
        checks.append(check)
    for check in checks:
        for table in check.feed.tables:
            check.key_clashes = [*check.key_clashes, *_clashes(table, tables.get(table, []), s)]
    delivered = {f.feed.name for f in checks if f.files} | before.feeds
    missing = [r for r in REGISTERS if r not in delivered]
    return LandingCheck(checks, missing, _unknown_codes(before.codes, tables))


def _unknown_codes(known_before: set[str], tables: dict[str, list[pa.Table]]) -> dict[str, int]:
    """Product codes in the messages that neither the register in the landing zone nor the loaded one has."""
    known = known_before | {c for t in tables.get("suite4_producten", []) for c in t.column("productcode").to_pylist()}
    used: Counter = Counter()
    for table, column in CODES.items():
        for t in tables.get(table, []):
            used.update(c for c in t.column(column).to_pylist() if c)
    return {code: n for code, n in sorted(used.items()) if code not in known}


def render(check: LandingCheck, s: Settings) -> str:
    """The report in Dutch, for the person setting grip up."""
    lines = [f"Controle van de aanleverzone {s.landing_dir} tegen het contract (docs/feeds.md)", ""]
    for f in check.feeds:
        head = f"{f.feed.name}: {number(f.files)} bestand(en)"
        if not f.files:
            lines.append(f"{head}: niet geleverd")
            continue
        new = f.files - f.loaded_before - f.duplicates - len(f.quarantined)
        lines.append(
            f"{head}: {number(new)} te laden, {f.loaded_before} al geladen, {f.duplicates} dubbel, "
            f"{len(f.quarantined)} in quarantaine; {number(f.rows)} rijen, {number(sum(f.rejected.values()))} afgekeurd"
        )
        lines += [f"  quarantaine: {q}" for q in f.quarantined[:EXAMPLES]]
        lines += [f"  afgekeurd: {rule} ({n} rijen)" for rule, n in f.rejected.most_common()]
        lines += [f"    bijvoorbeeld {e}" for e in f.rejected_examples]
        lines += [f"  BLOKKEERT PUBLICATIE: {c}" for c in f.key_clashes]
    lines.append("")
    lines.append(
        "Ontbrekende registers: " + (", ".join(check.missing_registers) if check.missing_registers else "geen")
    )
    if check.unknown_codes:
        shown = ", ".join(f"{c} ({n})" for c, n in list(check.unknown_codes.items())[:20])
        lines.append(
            f"Productcodes in de berichten die het productenregister niet kent: {len(check.unknown_codes)} "
            f"({shown}); ze tellen mee onder 'Onbekend product' tot het register ze heeft."
        )
    else:
        lines.append("Productcodes in de berichten die het productenregister niet kent: geen")
    lines.append("")
    lines.append(
        f"Uitkomst: {len(check.blocking)} probleem/problemen die publicatie blokkeren."
        if check.blocking
        else "Uitkomst: niets blokkeert publicatie; ontbrekende bronnen krijgen de status bron_niet_geleverd."
    )
    return "\n".join(lines)
