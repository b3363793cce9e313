"""Why a delivery or a row was refused, in Dutch, for the data steward.

Ingestion records its reasons for engineers (``raw.ingest_log.reason``, ``raw.rejected_rows``:
the rule, then the parser's own message). The data-quality report shows a Dutch sentence per
rule with the place in the file (line, column, element, the columns concerned); the original
message stays in the warehouse and in the cell's tooltip, for whoever fixes the file.
"""

from __future__ import annotations

import re

STATUS = {
    "quarantined": "geweigerd (in quarantaine, niet geladen)",
    "duplicate": "dubbel: al eerder geladen, genegeerd",
    "regel afgekeurd": "regel afgekeurd",
}
# rule (the reason's first word) -> what it means for the person who asks the supplier for a new file
RULES = {
    "encoding": "Verkeerde tekenset: het contract vraagt Windows-1252 (docs/feeds.md).",
    "csv": "Het CSV-bestand is niet te lezen: scheidingstekens of aanhalingstekens kloppen niet.",
    "header": "De kolommen wijken af van het contract.",
    "xlsx": "Het Excel-bestand is niet te openen.",
    "sheet": "Het Excel-bestand mist het werkblad uit het contract.",
    "xsd": "Het bericht voldoet niet aan het XSD-schema van de iStandaard.",
    "xml": "Het bestand is geen geldige XML.",
    "type": "Een waarde heeft niet het type dat het contract vraagt.",
    "structure": "Een verplicht onderdeel van het bericht ontbreekt of heeft een ongeldige waarde.",
    "size": "Het bestand is groter dan toegestaan.",
    "field_count": "De regel heeft een ander aantal velden dan het contract.",
    "same content as a delivery already loaded": "Dezelfde inhoud is al eerder geladen; niets dubbel geteld.",
}
UNKNOWN = "Geweigerd om een reden die grip nog niet in het Nederlands kent; zie de technische melding."


def status(code: str) -> str:
    return STATUS.get(code, code)


def _where(message: str) -> list[str]:
    """The place in the file a parser's message names: line, column, and element or columns."""
    out = []
    if m := re.search(r"\bline (\d+)", message):
        out.append(f"regel {m.group(1)}")
    if m := re.search(r"\bcolumn (\d+)", message):
        out.append(f"positie {m.group(1)}")
    if m := re.search(r"missing \[([^\]]*)\]", message):
        out.append(f"ontbreekt: {m.group(1)}" if m.group(1) else "")
    if m := re.search(r"unexpected \[([^\]]*)\]", message):
        out.append(f"onverwacht: {m.group(1)}" if m.group(1) else "")
    if m := re.search(r"Element '(?:\{[^}]*\})?([A-Za-z0-9_]+)'", message):
        out.append(f"element {m.group(1)}")
    if m := re.search(r"^structure: missing (\S+)", message):
        out.append(f"ontbreekt: {m.group(1)}")
    if m := re.search(r"(\d+) fields, the contract has (\d+)", message):
        out.append(f"{m.group(1)} velden, het contract vraagt er {m.group(2)}")
    return [w for w in out if w]


def reason(rule_or_message: str, message: str = "") -> str:
    """A Dutch sentence for a refusal: ``reason('xml: StartTag: invalid element name, line 2, column 403')``
    or, for a refused row, ``reason('type:bedrag', "invalid literal for int() with base 10: 'abc'")``."""
    text = f"{rule_or_message}: {message}" if message else rule_or_message
    rule = rule_or_message.split(":", 1)[0].strip() if rule_or_message not in RULES else rule_or_message
    sentence = RULES.get(rule, UNKNOWN)
    if rule == "type" and rule_or_message.startswith("type:") and message:  # a refused row: type:<column>
        sentence = f"De waarde in kolom {rule_or_message.split(':', 1)[1]} heeft niet het type dat het contract vraagt."
    where = _where(text)
    return sentence + (f" ({'; '.join(where)})" if where else "")
