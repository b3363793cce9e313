"""The data-quality method as plain functions: categories, feasibility, dips, and the suites kept in step."""

import pytest

from orchestration.quality.batches import period_end, plan_batches
from orchestration.quality.catalogue import EXPECTATIONS_DIR, load_elements, load_question_elements, suite_text, suites
from orchestration.quality.classify import Measures, classify, dip, feasibility
from orchestration.quality.gx import Validator, condition_columns


@pytest.mark.parametrize(
    "m, required, excl, expected",
    [
        (Measures(100, 100, 4, 4, 0), True, False, "a"),  # 96% filled
        (Measures(100, 100, 6, 6, 0), True, False, "e"),  # 94%
        (Measures(100, 100, 3, 3, 3), True, False, "e"),  # 94% once implausible values count
        (Measures(100, 80, 1, 21, 0), True, True, "b"),  # 79% filled, 98.75% of the rows in scope
        (Measures(100, 80, 10, 30, 0), True, True, "e"),  # 87.5% in scope
        (Measures(100, 100, 60, 60, 1), False, False, "a"),  # optional: 39 of 40 filled values plausible
        (Measures(100, 100, 60, 60, 3), False, False, "e"),  # optional: 37 of 40
    ],
)
def test_categories(m, required, excl, expected):
    assert classify(m, required, excl, recorded=True) == expected


def test_nothing_delivered_is_awaiting_source_or_not_recorded():
    assert classify(None, True, False, recorded=True) == "c"
    assert classify(Measures(0, 0, 0, 0, 0), True, False, recorded=False) == "d"


def test_feasibility_roll_up():
    ok = [("start", "kern", "a"), ("wijk", "doorsnede", "a")]
    assert feasibility(ok)[0] == "te_beantwoorden"
    assert feasibility(ok + [("einde", "kern", "b")])[0] == "te_beantwoorden"
    assert feasibility(ok + [("einde", "kern", "e")]) == ("procesaanpassing_nodig", "Onvoldoende kwaliteit: einde.")
    assert feasibility(ok + [("aanbieder", "doorsnede", "d")])[0] == "procesaanpassing_nodig"
    assert feasibility(ok + [("cjg", "kern", "c")])[0] == "nog_niet_te_beantwoorden"
    assert feasibility(ok + [("cjg", "kern", "c"), ("klacht", "kern", "d")])[0] == "niet_te_beantwoorden"


def test_dips():
    assert dip(("a", 0.99), ("a", 0.985)) is None
    assert dip(("a", 1.0), ("a", 0.95)) == "vulgraad gedaald van 100,0% naar 95,0%"
    assert dip(("a", 0.99), ("b", 0.97)) == "categorie van a naar b"
    assert dip(None, ("e", 0.5)) == "categorie e (onvoldoende)"


def test_periods():
    assert [str(period_end(p)) for p in ("2020", "2020-Q1", "2020-02", "2019-12")] == [
        "2020-12-31",
        "2020-03-31",
        "2020-02-29",
        "2019-12-31",
    ]
    plan = plan_batches({"2019-11": "a", "2019-12": "b", "2020-01": "c", "2020-02": "d"}, recent=2)
    assert plan == {
        "2019": (["2019-11", "2019-12"], "a|b"),
        "2020-01": (["2020-01"], "c"),
        "2020-02": (["2020-02"], "d"),
    }


def test_condition_columns_ignore_quoted_values_and_methods():
    assert condition_columns('not (uitkomst not in ["Toegekend", "in"]) and datum.isna()') == {"uitkomst", "datum"}


def test_catalogue_is_consistent():
    ids = [e.element_id for e in load_elements()]
    assert len(ids) == len(set(ids)) and len(ids) >= 138
    assert {e for _, e, _ in load_question_elements()} <= set(ids)
    assert len({q for q, _, _ in load_question_elements()}) == 59


def test_suites_in_expectations_are_generated_from_the_catalogue():
    generated = suites()
    kept = {p.stem: p.read_text(encoding="utf-8") for p in EXPECTATIONS_DIR.glob("*.json")}
    assert kept == {t: suite_text(s) for t, s in generated.items()}, (
        "expectations/ is out of step with seeds/dq_data_elements.csv: run python -m orchestration.quality.catalogue"
    )


# DuckDB gives pandas datetime64[us], which the validator turns into [ns] so GX compares column-wise;
# a date beyond the [ns] range (2262) keeps [us] and GX's value-by-value path, with the same counts.
@pytest.mark.parametrize("unit, future", [("ns", "2030-01-05"), ("us", "2030-01-05"), ("us", "2300-01-05")])
def test_gx_counts_missing_implausible_and_exclusions(unit, future):
    import pandas as pd

    suite = suites()["raw.suite4_werkprocessen"]
    frame = pd.DataFrame(
        {
            c: [None] * 4
            for c in [
                "procesnummer",
                "client_key",
                "soort",
                "spoed",
                "datum_melding",
                "datum_start_onderzoek",
                "datum_einde_onderzoek",
                "datum_aanvraag",
                "datum_beschikking",
                "uitkomst",
                "productcategorie",
                "team",
            ]
        }
    )
    frame["datum_melding"] = pd.Series(["2020-01-05", future, None, "2020-01-31"]).astype(f"datetime64[{unit}]")
    frame["uitkomst"] = ["Toegekend", "-", None, "Afgewezen"]
    frame["datum_beschikking"] = pd.to_datetime(["2020-01-20", "2020-01-21", None, None])
    out = Validator().validate(
        suite, frame, {"period_end": "2020-01-31"}, measures={"missing", "missing_all", "implausible"}
    )
    by = {(o.element_id, o.measure): o for o in out}
    assert by[("wp.datum_melding", "implausible")].unexpected_count == 1  # years ahead
    assert by[("wp.datum_melding", "implausible")].missing_count == 1
    assert by[("wp.uitkomst", "implausible")].unexpected_count == 1  # '-'
    # uitkomst is required only where there is a beschikking: two rows in scope, both filled
    assert (by[("wp.uitkomst", "missing")].element_count, by[("wp.uitkomst", "missing")].unexpected_count) == (2, 0)


def test_samples_are_the_first_failing_rows_as_gx_itself_names_them():
    """The validator looks samples up from GX's row numbers; GX's own (slow) unexpected_index_column_names
    gives the reference, for a plain rule and for one scoped by a row condition."""
    import pandas as pd

    from orchestration.quality.gx import SAMPLE_SIZE, _expectation, _plain

    suite = suites()["raw.suite4_werkprocessen"]
    n = 40
    frame = pd.DataFrame(
        {
            c: [None] * n
            for c in [
                "procesnummer",
                "soort",
                "spoed",
                "datum_melding",
                "datum_start_onderzoek",
                "datum_einde_onderzoek",
                "datum_aanvraag",
                "productcategorie",
                "team",
            ]
        }
    )
    frame["uitkomst"] = (["Toegekend", "-", None, "Afgewezen"] * n)[:n]
    frame["datum_beschikking"] = pd.to_datetime((["2020-01-20", "2020-01-21", None, None, None] * n)[:n])
    frame["client_key"] = [f"k{i}" for i in range(n)]
    frame["_row"] = range(2, n + 2)
    validator = Validator()
    out = validator.validate(
        suite, frame, {"period_end": "2020-01-31"}, ["client_key", "_row"], measures={"missing", "implausible"}
    )
    by = {(o.element_id, o.measure): o.samples for o in out}
    assert by[("wp.uitkomst", "implausible")][0] == {"uitkomst": "-", "client_key": "k1", "_row": 3}
    for (element, measure), samples in by.items():
        [spec] = [e for e in suite["expectations"] if e["meta"] == {"element_id": element, "measure": measure}]
        reference = (
            validator._batches.get_batch(batch_parameters={"dataframe": frame})
            .validate(
                validator._gx.ExpectationSuite(name="reference", expectations=[_expectation(spec)]),
                expectation_parameters={"period_end": pd.Timestamp("2020-01-31")},
                result_format={
                    "result_format": "SUMMARY",
                    "partial_unexpected_count": SAMPLE_SIZE,
                    "unexpected_index_column_names": ["client_key", "_row"],
                },
            )
            .results[0]
            .result
        )
        expected = [{k: _plain(v) for k, v in s.items()} for s in reference.get("partial_unexpected_index_list") or []]
        assert samples == expected, (element, measure)
    assert sum(len(s) for s in by.values()) > 2 * SAMPLE_SIZE  # several rules failed, with full samples
