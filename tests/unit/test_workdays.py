"""Working days and statutory terms around the Dutch holidays the Algemene termijnenwet counts."""

import datetime as dt

import pytest

from orchestration.lib.workdays import (
    calendar_rows,
    holiday_name,
    is_working_day,
    term_end,
    working_days_between,
)

D = dt.date


@pytest.mark.parametrize(
    "day, name",
    [
        (D(2019, 4, 19), "Goede vrijdag"),
        (D(2019, 4, 22), "Tweede paasdag"),
        (D(2019, 4, 27), "Koningsdag"),
        (D(2019, 5, 5), "Bevrijdingsdag"),
        (D(2021, 5, 5), "Bevrijdingsdag"),
        (D(2019, 12, 25), "Eerste kerstdag"),
        (D(2019, 12, 26), "Tweede kerstdag"),
        (D(2020, 1, 1), "Nieuwjaarsdag"),
        (D(2023, 4, 27), "Koningsdag"),
    ],
)
def test_holidays_include_5_may_every_year(day, name):
    assert holiday_name(day) == name
    assert not is_working_day(day)


def test_ordinary_days():
    assert is_working_day(D(2019, 4, 18))  # Maundy Thursday
    assert not is_working_day(D(2019, 4, 20))  # Saturday
    assert holiday_name(D(2019, 5, 6)) is None and is_working_day(D(2019, 5, 6))


@pytest.mark.parametrize(
    "start, days, expected",
    [
        # ends Good Friday 2019 -> Saturday, Easter Sunday, Easter Monday -> Tuesday 23 April
        (D(2019, 3, 8), 42, D(2019, 4, 23)),
        # ends on King's Day 2023 (Thursday) -> Friday 28 April
        (D(2023, 4, 13), 14, D(2023, 4, 28)),
        # ends on 5 May 2022 (Thursday; not a lustrum year) -> Friday 6 May
        (D(2022, 4, 21), 14, D(2022, 5, 6)),
        # ends on Christmas Day 2019 (Wednesday) -> Friday 27 December
        (D(2019, 12, 11), 14, D(2019, 12, 27)),
        # ends on a plain Tuesday: stays
        (D(2019, 10, 1), 42, D(2019, 11, 12)),
        # ends on King's Day 2024, a Saturday -> Monday 29 April
        (D(2024, 3, 16), 42, D(2024, 4, 29)),
    ],
)
def test_term_end_moves_to_next_working_day(start, days, expected):
    assert term_end(start, days) == expected


def test_working_days_between():
    # Thursday 18 April 2019 to Tuesday 23 April: Good Friday, weekend and Easter Monday are not counted
    assert working_days_between(D(2019, 4, 18), D(2019, 4, 23)) == 1
    # Friday to Monday in an ordinary week: one working day
    assert working_days_between(D(2019, 10, 4), D(2019, 10, 7)) == 1
    # Christmas week 2019: after Monday 23 December up to Friday 27, only the 24th and the 27th count
    assert working_days_between(D(2019, 12, 23), D(2019, 12, 27)) == 2
    assert working_days_between(D(2019, 12, 27), D(2019, 12, 23)) == 0


def test_calendar_numbers_give_the_same_working_days_as_the_loop():
    rows = calendar_rows(D(2019, 1, 1), D(2020, 12, 31))
    number = {r["calendar_date"]: r["working_day_number"] for r in rows}
    for a, b in [(D(2019, 4, 1), D(2019, 5, 13)), (D(2019, 12, 20), D(2020, 1, 3)), (D(2020, 4, 24), D(2020, 5, 6))]:
        assert number[b] - number[a] == working_days_between(a, b)
    # 2019: 104 weekend days and 7 holidays on weekdays (King's Day and 5 May fell on the weekend)
    assert sum(not r["is_working_day"] for r in rows if r["calendar_date"].year == 2019) == 104 + 7
