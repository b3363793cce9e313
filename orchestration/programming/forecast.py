"""Baseline forecasts of a monthly series, with prediction intervals and a backtest.

statsmodels does the statistics; this module only chooses the model per trend method:
``damped`` (ETS with an additive damped trend: the usual default for multi-year budgets,
as an undamped trend runs away over four years), ``linear`` (an OLS straight line) and
``none`` (simple exponential smoothing: the level carries forward).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

INTERVAL = 0.80  # an 80% interval: what a budget holder can plan with
MIN_MONTHS = 12  # a trend needs a full year of history: one of each season


def _monthly(y: pd.Series) -> pd.Series:
    y = y.astype(float).copy()
    y.index = pd.DatetimeIndex(y.index).to_period("M").to_timestamp()
    full = pd.date_range(y.index.min(), y.index.max(), freq="MS")
    if len(full) != len(y):
        raise ValueError(f"the monthly series has gaps: {len(full) - len(y)} month(s) missing")
    return y.asfreq("MS")


def forecast(y: pd.Series, months: int, method: str = "damped", interval: float = INTERVAL) -> pd.DataFrame:
    """The next ``months`` values of a monthly series: columns mean, lower, upper (index: month start)."""
    y = _monthly(y)
    if len(y) < MIN_MONTHS:
        raise ValueError(f"a forecast needs at least {MIN_MONTHS} months of history, got {len(y)}")
    alpha = 1 - interval
    future = pd.date_range(y.index[-1] + pd.offsets.MonthBegin(1), periods=months, freq="MS")
    if method == "linear":
        t = np.arange(len(y), dtype=float)
        fit = sm.OLS(y.to_numpy(), sm.add_constant(t)).fit()
        t_new = np.arange(len(y), len(y) + months, dtype=float)
        frame = fit.get_prediction(sm.add_constant(t_new, has_constant="add")).summary_frame(alpha=alpha)
        out = pd.DataFrame(
            {
                "mean": frame["mean"].to_numpy(),
                "lower": frame["obs_ci_lower"].to_numpy(),
                "upper": frame["obs_ci_upper"].to_numpy(),
            },
            index=future,
        )
    elif method in ("damped", "none"):
        trend = "add" if method == "damped" else None
        with warnings.catch_warnings():  # convergence chatter on short, smooth series
            warnings.simplefilter("ignore")
            fit = ETSModel(y, error="add", trend=trend, damped_trend=trend is not None).fit(disp=False)
        frame = fit.get_prediction(start=len(y), end=len(y) + months - 1).summary_frame(alpha=alpha)
        out = pd.DataFrame(
            {
                "mean": frame["mean"].to_numpy(),
                "lower": frame["pi_lower"].to_numpy(),
                "upper": frame["pi_upper"].to_numpy(),
            },
            index=future,
        )
    else:
        raise ValueError(f"unknown trend method {method!r}: use damped, linear or none")
    return out.clip(lower=0)  # neither clients nor euros go below zero


def backtest(y: pd.Series, method: str = "damped", holdout: int = 12) -> dict:
    """Fit on all but the last ``holdout`` months, forecast them, and report the error.

    MAPE is the mean absolute percentage error per month; bias is the relative error of
    the holdout's total (positive: the forecast was too high), which is what a year budget feels.
    """
    y = _monthly(y)
    train, test = y.iloc[:-holdout], y.iloc[-holdout:]
    predicted = forecast(train, holdout, method)
    lower, upper, predicted = (predicted[c].to_numpy() for c in ("lower", "upper", "mean"))
    actual = test.to_numpy()
    nonzero = actual != 0
    mape = (
        float(np.mean(np.abs(predicted[nonzero] - actual[nonzero]) / np.abs(actual[nonzero])) * 100)
        if nonzero.any()
        else None
    )
    bias = float((predicted.sum() - actual.sum()) / actual.sum() * 100) if actual.sum() else None
    inside = float(np.mean((actual >= lower) & (actual <= upper)) * 100)
    return {
        "train_months": len(train),
        "test_start": test.index[0],
        "test_end": test.index[-1],
        "mape_pct": mape,
        "bias_pct": bias,
        "interval_coverage_pct": inside,
    }


MEASURES = ("clients", "booked_cents")


def forecast_groups(
    history: pd.DataFrame, base_year: int, horizon_years: int, method: str
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Forecast clients in care and booked money per main group from the months up to the
    base year's end, and backtest each on the base year itself.

    ``history``: law, main_group, month, clients, booked_cents. Returns (monthly forecast with
    law, main_group, measure, method, month, mean, lower, upper; one backtest row per group and
    measure; what was left out, in Dutch). A main group with less than a year of history up to the
    base year's end (a new group, a municipality whose data start late in the base year) gets no
    trend: it is left out with its reason, and a programme holds it at its base year.
    """
    forecasts, backtests, short = [], [], []
    cutoff = pd.Timestamp(base_year, 12, 1)
    for (law, main), group in history.groupby(["law", "main_group"], sort=True):
        series = group.set_index("month").sort_index().loc[:cutoff, list(MEASURES)]
        if series.empty or series.index[-1] != cutoff:
            continue  # a group that no longer exists in the base year has nothing to forecast
        full = pd.date_range(series.index[0], cutoff, freq="MS")
        if len(full) < MIN_MONTHS:
            short.append(
                f"{law} {main}: {len(full)} maand(en) geschiedenis tot en met {base_year}, "
                f"een trend vraagt er {MIN_MONTHS}; "
                f"het programma houdt het basisjaar vast (niet naar een heel jaar omgerekend)"
            )
            continue
        series = series.reindex(full, fill_value=0)
        for measure in MEASURES:
            y = series[measure]
            frame = forecast(y, 12 * horizon_years, method)
            forecasts.append(
                frame.rename_axis("month")
                .reset_index()
                .assign(law=law, main_group=main, measure=measure, method=method)
            )
            if len(y) >= 24:
                backtests.append(
                    {"law": law, "main_group": main, "measure": measure, "method": method, **backtest(y, method)}
                )
    if not forecasts:
        raise ValueError(
            f"geen hoofdgroep heeft een jaar geschiedenis tot en met het basisjaar {base_year}: "
            "programmeren begint na twaalf maanden gegevens (" + "; ".join(short) + ")"
        )
    columns = ["law", "main_group", "measure", "method", "month", "mean", "lower", "upper"]
    return pd.concat(forecasts, ignore_index=True)[columns], pd.DataFrame(backtests), short
