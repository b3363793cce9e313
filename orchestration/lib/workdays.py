"""Working days and statutory terms under the Algemene termijnenwet (Atw).

A term that ends on a Saturday, a Sunday or a generally recognised public holiday moves
to the next working day (Atw art. 1). The holidays come from the maintained ``holidays``
package (New Year, Good Friday, Easter Monday, King's Day, Ascension, Whit Monday,
Christmas); the Atw also counts 5 May every year, where the package counts it only in
lustrum years, so it is added here.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

LIBERATION_DAY = "Bevrijdingsdag"


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> dict[dt.date, str]:
    days = dict(holidays.NL(years=year, language="nl"))
    days.setdefault(dt.date(year, 5, 5), LIBERATION_DAY)
    return days


def holiday_name(day: dt.date) -> str | None:
    """The name of the public holiday on ``day`` as the Atw counts it, else None."""
    return _holidays_of(day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def term_end(start: dt.date, days: int) -> dt.date:
    """Last day of a term of ``days`` calendar days from ``start``, moved past weekends and holidays."""
    return next_working_day(start + dt.timedelta(days=days))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start).

    Counted like calendar days (end - start), but only the days that are working days:
    a report on Friday handled on Monday took one working day.
    """
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += is_working_day(day)
    return n


def calendar_rows(first: dt.date, last: dt.date) -> list[dict]:
    """One row per day from ``first`` to ``last``: the reference calendar the SQL models join.

    ``working_day_number`` counts working days from ``first``; the working days between two
    dates are the difference of their numbers, and ``next_working_day`` is where a term ending
    on that day really ends, which keeps the SQL plain joins.
    """
    rows, n, day = [], 0, first
    while day <= last:
        working = is_working_day(day)
        n += working
        rows.append(
            {
                "calendar_date": day,
                "is_working_day": working,
                "holiday_name": holiday_name(day),
                "working_day_number": n,
                "next_working_day": next_working_day(day),
            }
        )
        day += dt.timedelta(days=1)
    return rows
