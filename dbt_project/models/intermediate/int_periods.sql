-- Every month, quarter and year of the reporting period, with its last day and the day a state
-- is measured on: the last day, or for the current period the last day the data reach (a work
-- stock measured on a day still to come would age reports by days that have not passed).
-- Grain: one row per period_type and period_start.
with

period as (

    select * from {{ ref('int_reporting_period') }}

),

months as (

    select unnest(generate_series(first_month, last_month, interval 1 month))::date as month_start, data_through
    from period

),

final as (

    {%- for p in ['month', 'quarter', 'year'] %}
    {{ 'union all' if not loop.first }}
    select distinct
        '{{ p }}' as period_type,
        date_trunc('{{ p }}', month_start)::date as period_start,
        (date_trunc('{{ p }}', month_start) + interval 1 {{ p }} - interval 1 day)::date as period_end,
        least(
            (date_trunc('{{ p }}', month_start) + interval 1 {{ p }} - interval 1 day)::date, data_through
        ) as measured_on
    from months
    {%- endfor %}

)

select * from final
