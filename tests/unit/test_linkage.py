"""Linkage: name and postcode standardisation, the BSN rule, Splink on a small known population."""

import datetime as dt

import pandas as pd
import pytest

from orchestration.lib.linkage import (
    first_given_name,
    link,
    normalise_name,
    normalise_postcode,
    precision_recall,
    prepare_persons,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Van der Bérg", "berg"),
        ("de Vries", "vries"),
        ("  Jansen-Smit ", "jansen smit"),
        ("van 't Hof", "hof"),
        ("-", None),
        (None, None),
        ("Van", "van"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


def test_first_given_name_and_postcode():
    assert first_given_name("Jan Pieter") == "jan"
    assert normalise_postcode("2011 ab") == "2011AB"
    assert normalise_postcode("-") is None and normalise_postcode("0123AB") is None


def persons(rows, source):
    frame = pd.DataFrame(rows, columns=["source_key", "client_key", "given", "surname", "birth_date", "postcode"])
    return prepare_persons(frame, source, "given", "surname")


FIRST = [
    "Anna",
    "Bram",
    "Chris",
    "Daan",
    "Eva",
    "Fleur",
    "Gijs",
    "Hanna",
    "Ilse",
    "Joris",
    "Kim",
    "Lars",
    "Mila",
    "Noah",
    "Olga",
    "Piet",
    "Quinten",
    "Roos",
    "Sem",
    "Tess",
]
LAST = [
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Jansen",
]


def population():
    """40 SUITE4 clients; the other source holds 20 of them (with typical defects) and 10 strangers."""
    clients, others, truth = [], [], []
    for i in range(40):
        birth = dt.date(1950 + i, 1 + i % 12, 1 + i % 27)
        clients.append(
            (
                f"s{i}",
                f"k{i}",
                FIRST[i % 20] + (" Maria" if i % 3 == 0 else ""),
                LAST[(i * 7) % 20],
                birth,
                f"20{11 + i % 40:02d}AB",
            )
        )
    for i in range(20):
        _, _, given, surname, birth, postcode = clients[i]
        given = given.split(" ")[0]
        if i == 1:
            surname = surname[:-1]  # one letter dropped
        if i == 2:
            given, surname = surname, given  # swapped
        if i == 3:
            postcode = "-"
        others.append((f"o{i}", None, given, surname, birth, postcode))
        truth.append((f"o{i}", f"s{i}"))
    for i in range(10):
        others.append((f"x{i}", None, FIRST[(i + 5) % 20], LAST[(i * 3 + 1) % 20], dt.date(1930 + i, 6, 15), "2099ZZ"))
        truth.append((f"x{i}", None))
    return (
        persons(clients, "suite4"),
        persons(others, "stapp"),
        pd.DataFrame(truth, columns=["source_key", "suite4_key"]),
    )


def test_link_finds_the_true_clients_and_no_strangers():
    clients, others, truth = population()
    links = link(clients, others)
    score = precision_recall(links, truth)
    assert score["links_true"] == 20
    assert score["precision"] == 1.0 and score["recall"] >= 0.95, score
    assert set(links["method"].dropna()) == {"probabilistisch"}
    assert links.loc[links["suite4_key"].notna(), "client_key"].notna().all()


def test_a_shared_valid_bsn_decides():
    clients, others, _ = population()
    others.loc[others["source_key"] == "x0", "client_key"] = "k7"  # a stranger by name, but the BSN says s7
    links = link(clients, others).set_index("source_key")
    assert links.loc["x0", "suite4_key"] == "s7" and links.loc["x0", "method"] == "bsn"
    assert links.loc["x0", "match_probability"] == 1.0


def test_precision_recall_counts_wrong_links_against_both():
    truth = pd.DataFrame({"source_key": ["a", "b", "c"], "suite4_key": ["1", "2", None]})
    predicted = pd.DataFrame({"source_key": ["a", "b", "c"], "suite4_key": ["1", "3", "4"]})
    assert precision_recall(predicted, truth) == {
        "links_predicted": 3,
        "links_true": 2,
        "links_correct": 1,
        "precision": 1 / 3,
        "recall": 0.5,
    }
