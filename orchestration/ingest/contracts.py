"""The contract of every tabular feed: which files, which columns, which types, which roles.

``docs/feeds.md`` describes the same files for people. A column's *role* says how
personal data is treated at the door: the BSN becomes a keyed hash plus an elfproef flag;
source client numbers become keyed hashes; names, full birth dates, postcodes and house
numbers and places go only to the restricted linkage table; the raw table keeps the birth year-month
and the wijk code instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"  # text, int, date, amount (decimal comma, euros -> cents), flag (J/N)
    # bsn (the client's: client_key), bsn:<who> (another person's: <who>_key), id:<domain>, name, birth_date,
    # postcode, address
    role: str | None = None
    # an optional column may be left out of the header (then it is empty on every row): a column
    # only some deliveries need, such as the gemeentecode of a region's registers
    optional: bool = False


@dataclass(frozen=True)
class Contract:
    source: str
    entity: str
    pattern: str  # glob below the landing zone
    columns: tuple[Column, ...]
    person_id: str | None = None  # column that identifies the person in the linkage table
    description: str = ""
    delivery: str = "full"  # full (latest file replaces) or incremental (each file adds)
    # incremental feeds: the delivery period in the file name (first group). A later delivery of a
    # period already loaded is a corrected redelivery: it replaces that period's rows, which go to history.
    period: str | None = None

    @property
    def table(self) -> str:
        return f"{self.source}_{self.entity}"


C = Column
SUITE4 = "suite4"
# The delivery period in a file name: suite4_betalingen_202603.csv, cjg_2026Q1.xlsx, cev_wmo_2025.xlsx
MONTHLY = r"_(\d{6})(?:\D|$)"
QUARTERLY = r"_(\d{4}Q\d)"
YEARLY = r"_(\d{4})(?:\D|$)"

CONTRACTS: tuple[Contract, ...] = (
    Contract(
        SUITE4,
        "clienten",
        "suite4/clienten/*.csv",
        (
            C("clientnummer", role="id:suite4"),
            C("bsn", role="bsn"),
            C("voornamen", role="name"),
            C("voorvoegsel", role="name"),
            C("achternaam", role="name"),
            C("geboortedatum", "date", role="birth_date"),
            C("geslacht"),
            C("postcode", role="postcode"),
            C("huisnummer", role="address"),
            C("woonplaats", role="address"),
            C("gemeentecode"),
        ),
        person_id="clientnummer",
        description="Client register of SUITE4SociaalDomein: one row per client known to the municipality.",
    ),
    Contract(
        SUITE4,
        "aanbieders",
        "suite4/aanbieders/*.csv",
        (
            C("agb_code"),
            C("naam"),
            C("vestigingsplaats"),
            C("gecontracteerd_wmo", "flag"),
            C("gecontracteerd_jeugd", "flag"),
            C("startdatum_contract", "date"),
        ),
        description="Provider register: AGB code, name and contracts per law.",
    ),
    Contract(
        SUITE4,
        "producten",
        "suite4/producten/*.csv",
        (
            C("wet"),
            C("productcategorie"),
            C("productcode"),
            C("omschrijving"),
            C("hoofdgroep"),
            C("productgroep"),
            C("eenheid"),
            C("frequentie"),
            C("jaar", "int"),
            C("tarief", "amount"),
            C("gemeentecode", optional=True),
        ),
        description=(
            "Product catalogue with the tariff per year (euros per unit). In a region each member may have its own "
            "rows (gemeentecode); a row without one holds for every municipality without its own."
        ),
    ),
    Contract(
        SUITE4,
        "budget",
        "suite4/budget/*.csv",
        (C("jaar", "int"), C("wet"), C("hoofdgroep"), C("begroot_bedrag", "amount"), C("gemeentecode", optional=True)),
        description=(
            "Budget per year, law and main product group; in a region per member (gemeentecode), "
            "a row without one is the budget of the first municipality of GRIP_MUNICIPALITY."
        ),
    ),
    Contract(
        SUITE4,
        "werkprocessen",
        "suite4/werkprocessen/*.csv",
        (
            C("procesnummer"),
            C("clientnummer", role="id:suite4"),
            C("bsn", role="bsn"),
            C("soort"),
            C("spoed", "flag"),
            C("datum_melding", "date"),
            C("datum_start_onderzoek", "date"),
            C("datum_einde_onderzoek", "date"),
            C("datum_aanvraag", "date"),
            C("datum_beschikking", "date"),
            C("uitkomst"),
            C("productcategorie"),
            C("team"),
        ),
        delivery="incremental",
        period=MONTHLY,
        description="Wmo work processes (melding, onderzoek, aanvraag, beschikking); monthly, rows that changed.",
    ),
    Contract(
        SUITE4,
        "wachtlijst",
        "suite4/wachtlijst/*.csv",
        (
            C("peildatum", "date"),
            C("clientnummer", role="id:suite4"),
            C("bsn", role="bsn"),
            C("wet"),
            C("toewijzingnummer"),
            C("agb_code"),
            C("productcode"),
            C("datum_aanmelding", "date"),
            C("datum_toewijzing", "date"),
            C("wachttijd_dagen", "int"),
        ),
        delivery="incremental",
        period=MONTHLY,
        description="Waiting list at the end of each month: allocated, care not yet started.",
    ),
    Contract(
        SUITE4,
        "betalingen",
        "suite4/betalingen/*.csv",
        (
            C("betalingsnummer"),
            C("agb_code"),
            C("declaratienummer"),
            C("referentienummer"),
            C("toewijzingnummer"),
            C("bsn", role="bsn"),
            C("periode_begin", "date"),
            C("periode_eind", "date"),
            C("bedrag", "amount"),
            C("betaaldatum", "date"),
        ),
        delivery="incremental",
        period=MONTHLY,
        description="Payments of accepted invoice lines, per month of payment; credits are negative.",
    ),
    Contract(
        "stapp",
        "klanten",
        "stapp/stapp_klanten_*.csv",
        (
            C("klantnummer", role="id:stapp"),
            C("voornaam", role="name"),
            C("tussenvoegsel", role="name"),
            C("achternaam", role="name"),
            C("geboortedatum", "date", role="birth_date"),
            C("postcode", role="postcode"),
            C("huisnummer", role="address"),
        ),
        person_id="klantnummer",
        description="Clients of the neighbourhood teams (STAPP), with STAPP's own client numbers.",
    ),
    Contract(
        "stapp",
        "trajecten",
        "stapp/stapp_trajecten_*.csv",
        (
            C("trajectnummer"),
            C("klantnummer", role="id:stapp"),
            C("wijkteam"),
            C("startdatum", "date"),
            C("einddatum", "date"),
            C("product"),
            C("verwijzing"),
            C("verwijsdatum", "date"),
        ),
        description="Neighbourhood-team trajectories with products and referrals to specialist care.",
    ),
    # CJG: quarterly workbooks, one sheet per entity (the sheet is named after the entity)
    Contract(
        "cjg",
        "jeugdigen",
        "cjg/*.xlsx",
        (
            C("cjg_id", role="id:cjg"),
            C("bsn", role="bsn"),
            C("voornaam", role="name"),
            C("achternaam", role="name"),
            C("geboortedatum", "date", role="birth_date"),
            C("postcode", role="postcode"),
        ),
        person_id="cjg_id",
        delivery="incremental",
        period=QUARTERLY,
        description="Youths known to the CJG in the quarter; BSN where the CJG knows it.",
    ),
    Contract(
        "cjg",
        "contactmomenten",
        "cjg/*.xlsx",
        (C("contact_id"), C("cjg_id", role="id:cjg"), C("datum", "date"), C("soort")),
        delivery="incremental",
        period=QUARTERLY,
        description="CJG contact moments: information and advice, guidance.",
    ),
    Contract(
        "cjg",
        "trajecten",
        "cjg/*.xlsx",
        (C("traject_id"), C("cjg_id", role="id:cjg"), C("startdatum", "date"), C("einddatum", "date"), C("product")),
        delivery="incremental",
        period=QUARTERLY,
        description="CJG trajectories with their product, as known at the end of the quarter.",
    ),
    # ZorgfocuZ: one workbook per survey year, anonymous respondents, no provider
    Contract(
        "zorgfocuz",
        "resultaten",
        "zorgfocuz/*.xlsx",
        (
            C("respondentnummer"),
            C("onderzoeksjaar", "int"),
            C("leeftijdsklasse"),
            C("geslacht"),
            C("voorziening"),
            *(C(f"stelling_{i}", "int") for i in range(1, 10)),
        ),
        delivery="incremental",
        period=YEARLY,
        description="Wmo client-experience survey: answers 1-5 to nine standard statements per respondent.",
    ),
    # Not delivered by any source yet (003 §2.2.3): complaints and objections are handled by Juridische
    # Zaken outside a system, Jeugd client experience is reported per provider. The contract exists so
    # that the first delivery fills W35, W36 and J23 without code changes.
    Contract(
        "kwaliteit",
        "registraties",
        "kwaliteit/*.csv",
        (C("registratienummer"), C("soort"), C("wet"), C("datum", "date"), C("agb_code"), C("oordeel", "int")),
        delivery="incremental",
        period=MONTHLY,
        description="Complaints (klacht), objections (bezwaar) and Jeugd client-experience scores "
        "(clientervaring, oordeel 1-5), one registration per row.",
    ),
    # What only contract management knows (000 §4, 003 Bijlage 3): a provider's financial trouble or improvement
    # plan (the fifth risk characteristic) and what was agreed in the provider talks, with its follow-up.
    Contract(
        "contractmanagement",
        "register",
        "contractmanagement/*.csv",
        (
            C("agb_code"),
            C("wet"),
            C("soort"),
            C("datum", "date"),
            C("omschrijving"),
            C("status"),
            C("streefdatum", "date"),
        ),
        description="Contract-management register (full: the latest file replaces the previous): per provider "
        "the characteristics only contract management knows (soort kenmerk) and the actions agreed in the "
        "provider talks (soort afspraak), with their status.",
    ),
    # The SVB pays personal budgets (pgb) under the trekkingsrecht (003 §2.2.1): none of it is invoiced through
    # iWmo/iJw. The budget holder (a parent for a youth) and the client are both pseudonymised at the door, with
    # the same key as every BSN, so a pgb client who also has care in kind is one client; names go nowhere.
    Contract(
        "svb",
        "toekenningen",
        "svb/toekenningen/*.csv",
        (
            C("toekenningsnummer"),
            C("bsn_budgethouder", role="bsn:budgethouder"),
            C("naam_budgethouder", role="name"),
            C("bsn_client", role="bsn"),
            C("wet"),
            C("productcode"),
            C("ingangsdatum", "date"),
            C("einddatum", "date"),
            C("toegekend_bedrag", "amount"),
            C("besteed_bedrag", "amount"),
            C("resterend_bedrag", "amount"),
            C("gemeentecode", optional=True),
        ),
        description="SVB register of personal budgets (pgb) granted by the municipality (full: the latest file "
        "replaces the previous): budget holder, client, law, product, period, the amount granted, spent and left.",
    ),
    Contract(
        "svb",
        "betalingen",
        "svb/betalingen/*.csv",
        (
            C("betalingsnummer"),
            C("toekenningsnummer"),
            C("zorgovereenkomst"),
            C("soort_zorgverlener"),
            C("agb_code"),
            C("zorgmaand", "date"),
            C("bedrag", "amount"),
            C("betaaldatum", "date"),
            C("correctie_op"),
        ),
        delivery="incremental",
        period=MONTHLY,
        description="SVB payments from personal budgets per month of payment: per care agreement with a formal "
        "(AGB code) or informal carer and month of care; a correction is a negative payment naming the one it fixes.",
    ),
)

CONTRACT_BY_TABLE = {c.table: c for c in CONTRACTS}
