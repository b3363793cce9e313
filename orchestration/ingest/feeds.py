"""Feeds: a file pattern in the landing zone, how to parse one delivery, and the raw tables it fills."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import groupby

from orchestration.lib.config import Settings

from . import compiled, istandaard
from .compiled import MessageBatch
from .contracts import CONTRACTS, Contract
from .tabular import Parsed, output_columns, read_delivery, read_workbook


@dataclass(frozen=True)
class Feed:
    name: str  # e.g. suite4_betalingen, cjg, suite4_berichten
    source: str
    pattern: str
    tables: dict[str, list[tuple[str, str]]]  # raw table -> columns (without lineage)
    # one delivery at a time (the CSV and xlsx feeds), or many at once, column-wise (the message traffic)
    parse: Callable[[bytes, Settings], dict[str, Parsed]] | None = None
    parse_batch: Callable[[list[bytes], Settings], MessageBatch] | None = None
    full_tables: tuple[str, ...] = ()  # tables whose latest delivery replaces the previous one
    person_tables: tuple[str, ...] = ()  # tables whose persons go to the restricted linkage table
    batch_size: int = 1  # deliveries per transaction
    period: str | None = None  # regex: the delivery period in the file name; a redelivery replaces it
    description: str = ""


def _csv_parse(contract: Contract, data: bytes, s: Settings) -> dict[str, Parsed]:
    return {contract.table: read_delivery(contract, data, s.pseudonym_key)}


def _xlsx_parse(contracts: list[Contract], data: bytes, s: Settings) -> dict[str, Parsed]:
    return read_workbook(contracts, data, s.pseudonym_key)


def _message_batch(datas: list[bytes], s: Settings) -> MessageBatch:
    schemas = istandaard.SchemaSet(s.xsd_dir) if s.xsd_dir else None
    return compiled.parse_messages(datas, s.pseudonym_key, schemas)


def _tabular_feed(contracts: list[Contract]) -> Feed:
    first = contracts[0]
    if len(contracts) == 1 and first.pattern.endswith(".csv"):
        name, parse = first.table, partial(_csv_parse, first)
    else:
        name, parse = first.source, partial(_xlsx_parse, contracts)
    return Feed(
        name=name,
        source=first.source,
        pattern=first.pattern,
        tables={c.table: output_columns(c) for c in contracts},
        parse=parse,
        full_tables=tuple(c.table for c in contracts if c.delivery == "full"),
        person_tables=tuple(c.table for c in contracts if c.person_id),
        period=first.period,
        description=" ".join(c.description for c in contracts),
    )


MESSAGES = Feed(
    name="suite4_berichten",
    source="suite4",
    pattern="suite4/berichten/**/*.xml",
    tables=istandaard.TABLES,
    parse_batch=_message_batch,
    batch_size=5000,
    description="iWmo/iJw message traffic (301, 305, 307, 315, 317, 319, 323 and retour messages), one file "
    "per message, schema-validated when GRIP_XSD_DIR is set.",
)

FEEDS: tuple[Feed, ...] = (
    MESSAGES,
    *(_tabular_feed(list(group)) for _, group in groupby(CONTRACTS, key=lambda c: c.pattern)),
)
