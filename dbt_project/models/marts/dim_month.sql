-- The months of the reporting period with their quarter and year. Grain: one row per month_start.
select
    month_start::date as month_start,
    date_trunc('quarter', month_start)::date as quarter_start,
    year(month_start) as year,
    quarter(month_start) as quarter,
    month(month_start) as month

from {{ ref('int_reporting_period') }},
    unnest(generate_series(first_month, last_month, interval 1 month)) as t (month_start)
