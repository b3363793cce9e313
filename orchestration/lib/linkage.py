"""Linking neighbourhood-team (STAPP) and CJG persons to SUITE4 clients.

STAPP has no BSN and CJG knows it only for part of its youths (003 §2.2.3): persons are
linked deterministically on the BSN where both sides have a valid one, and otherwise
probabilistically on name, birth date and postcode with Splink (Fellegi-Sunter, on
DuckDB). The functions take and return pandas frames and run Splink in a private
in-memory DuckDB, so they are testable without a warehouse and never touch its lock.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

import duckdb
import pandas as pd

# Dutch surname prefixes (voorvoegsels): "van der Berg" and "Berg, van der" are one surname.
PREFIX_WORDS = {
    "van",
    "de",
    "der",
    "den",
    "het",
    "ter",
    "ten",
    "te",
    "in",
    "op",
    "'t",
    "t",
    "d",
    "la",
    "le",
    "du",
    "von",
    "vd",
    "v",
}


@dataclass(frozen=True)
class LinkageSettings:
    threshold: float = 0.9  # match probability from which a candidate becomes a link
    max_pairs_for_u: float = 1e6  # random pairs for estimating the u probabilities


def normalise_name(text: str | None) -> str | None:
    """Lower case, no accents or punctuation, surname prefixes removed: 'Van der Bérg' -> 'berg'."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z']+", plain) if w]
    core = [w for w in words if w not in PREFIX_WORDS] or words
    return " ".join(core) or None


def first_given_name(text: str | None) -> str | None:
    """SUITE4 holds all given names ('Jan Pieter'); STAPP and CJG the name used ('Jan')."""
    name = normalise_name(text)
    return name.split(" ")[0] if name else None


def normalise_postcode(text: str | None) -> str | None:
    """'2011 ab' -> '2011AB'; anything that is not a Dutch postcode (such as '-') -> None."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    code = re.sub(r"\s+", "", str(text)).upper()
    return code if re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", code) else None


def prepare_persons(frame: pd.DataFrame, source: str, first_col: str, surname_col: str) -> pd.DataFrame:
    """One source's persons as (source, source_key, client_key, first_name, surname, birth_date, postcode),
    standardised for comparison, one row per source key (the latest delivery)."""
    f = frame.sort_values("_loaded_at").drop_duplicates("source_key", keep="last") if "_loaded_at" in frame else frame
    out = pd.DataFrame(
        {
            "source": source,
            "source_key": f["source_key"].to_numpy(),
            "client_key": f["client_key"].to_numpy() if "client_key" in f else None,
            "first_name": [first_given_name(v) for v in f[first_col]],
            "surname": [normalise_name(v) for v in f[surname_col]],
            "birth_date": pd.to_datetime(f["birth_date"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "postcode": [normalise_postcode(v) for v in f["postcode"]],
        }
    )
    return out.astype({"client_key": "object", "birth_date": "object"})


def _splink_settings():
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="source_key",
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "surname", jaro_winkler_thresholds=[0.92, 0.85]),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.CustomComparison(
                output_column_name="postcode",
                comparison_levels=[
                    {
                        "sql_condition": '"postcode_l" is null or "postcode_r" is null',
                        "label_for_charts": "null",
                        "is_null_level": True,
                    },
                    {"sql_condition": '"postcode_l" = "postcode_r"', "label_for_charts": "exact"},
                    {
                        "sql_condition": 'left("postcode_l", 4) = left("postcode_r", 4)',
                        "label_for_charts": "same digits",
                    },
                    {"sql_condition": "else", "label_for_charts": "else"},
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"),
            block_on("postcode", "surname"),
            block_on("postcode", "first_name"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def probabilistic_links(
    clients: pd.DataFrame,
    persons: pd.DataFrame,
    cfg: LinkageSettings = LinkageSettings(),
    seed: int = 42,
    duckdb_config: dict | None = None,
) -> pd.DataFrame:
    """The best SUITE4 candidate per person with its match probability (all candidates Splink scored).

    The model is trained without labels: u from random pairs, m by expectation maximisation
    within blocks on birth date and on postcode, so no hand-set weights drift from the data.
    """
    from splink import Linker, block_on
    from splink.backends.duckdb import DuckDBAPI

    cols = ["source_key", "first_name", "surname", "birth_date", "postcode"]
    if clients.empty or persons.empty:
        return pd.DataFrame(columns=["source_key", "suite4_key", "match_probability"])
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.WARNING)
    con = duckdb.connect(config=duckdb_config or {})  # Splink's own database: at scale 10 it took 8 GB unbounded
    try:
        db = DuckDBAPI(con)
        left = db.register(clients[cols].reset_index(drop=True), dataset_display_name="suite4")
        right = db.register(persons[cols].reset_index(drop=True), dataset_display_name="other")
        linker = Linker([left, right], _splink_settings())
        linker.training.estimate_probability_two_random_records_match(
            [block_on("first_name", "surname", "birth_date")], recall=0.8
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=cfg.max_pairs_for_u, seed=seed)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
        pairs = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    finally:
        con.close()
    if pairs.empty:
        return pd.DataFrame(columns=["source_key", "suite4_key", "match_probability"])
    # orient every pair as (suite4, other)
    left_is_suite4 = pairs["source_dataset_l"] == "suite4"
    oriented = pd.DataFrame(
        {
            "suite4_key": pairs["source_key_l"].where(left_is_suite4, pairs["source_key_r"]),
            "source_key": pairs["source_key_r"].where(left_is_suite4, pairs["source_key_l"]),
            "match_probability": pairs["match_probability"],
        }
    )
    best = oriented.sort_values(["source_key", "match_probability", "suite4_key"], ascending=[True, False, True])
    return best.drop_duplicates("source_key")[["source_key", "suite4_key", "match_probability"]]


def link(
    clients: pd.DataFrame,
    persons: pd.DataFrame,
    cfg: LinkageSettings = LinkageSettings(),
    duckdb_config: dict | None = None,
) -> pd.DataFrame:
    """One row per STAPP/CJG person: the SUITE4 client it is linked to (or none), how, and how sure.

    ``clients`` and ``persons`` are outputs of :func:`prepare_persons`. A valid BSN on both
    sides decides; the rest goes to Splink, and a candidate below the threshold stays unlinked.
    """
    clients = clients.drop_duplicates("source_key")
    by_bsn = clients.dropna(subset=["client_key"]).drop_duplicates("client_key").set_index("client_key")["source_key"]
    det = persons["client_key"].map(by_bsn)
    out = persons[["source", "source_key"]].copy()
    out["suite4_key"] = det
    out["match_probability"] = det.notna().astype(float).where(det.notna())
    out["method"] = det.notna().map({True: "bsn", False: None})
    rest = persons[det.isna()]
    prob = probabilistic_links(clients, rest, cfg, duckdb_config=duckdb_config).set_index("source_key")
    idx = out["suite4_key"].isna() & out["source_key"].isin(prob.index)
    candidates = prob.reindex(out.loc[idx, "source_key"])
    out.loc[idx, "match_probability"] = candidates["match_probability"].to_numpy()
    accepted = candidates["match_probability"].to_numpy() >= cfg.threshold
    out.loc[idx, "suite4_key"] = candidates["suite4_key"].where(accepted).to_numpy()
    out.loc[idx, "method"] = pd.Series(accepted).map({True: "probabilistisch", False: None}).to_numpy()
    client_of = clients.set_index("source_key")["client_key"]
    out["client_key"] = out["suite4_key"].map(client_of)
    return out.reset_index(drop=True)


def precision_recall(predicted: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Precision and recall of links (source_key -> suite4_key) against the true links.

    ``truth`` has one row per person with the true suite4_key, or None where the person is no
    SUITE4 client. A link to the wrong client counts against both precision and recall.
    """
    t = truth.set_index("source_key")["suite4_key"]
    p = predicted.dropna(subset=["suite4_key"]).set_index("source_key")["suite4_key"]
    true_links = t.dropna()
    correct = int((p == t.reindex(p.index)).sum())
    return {
        "links_predicted": int(len(p)),
        "links_true": int(len(true_links)),
        "links_correct": correct,
        "precision": correct / len(p) if len(p) else 1.0,
        "recall": correct / len(true_links) if len(true_links) else 1.0,
    }
