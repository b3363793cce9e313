-- Use of the allocated volume (verzilvering, W25) per month, quarter and year, in total, per provider
-- and per product: per allocation, the net delivered volume of its booked invoice lines divided by
-- the volume it grants over its validity in that period (per day x days, per week x days / 7, per
-- month x days / days in the month, a total once in the month it starts); the answer is the mean
-- of these ratios in percent.
-- Grain: question_id, period_type, period_start, cross_section, member.
with

trajectories as (

    select * from {{ ref('fct_care_trajectories') }}

),

period as (

    select * from {{ ref('int_reporting_period') }}

),

valid as (

    select
        trajectories.allocation_id,
        trajectories.client_key,
        trajectories.municipality_code,
        trajectories.provider_agb,
        trajectories.product_code,
        trajectories.law,
        trajectories.allocation_start,
        coalesce(trajectories.allocation_end, last_day(period.last_month)) as valid_until,
        trajectories.volume,
        trajectories.frequency,
        period.first_month,
        period.last_month

    from trajectories
    cross join period
    where trajectories.law = 'wmo'

),

months as (

    select
        valid.*,
        unnest(generate_series(
            greatest(date_trunc('month', allocation_start), first_month),
            least(date_trunc('month', valid_until), last_month), interval 1 month
        ))::date as month_start

    from valid
    where allocation_start <= valid_until

),

allocated as (

    select
        allocation_id,
        client_key,
        municipality_code,
        provider_agb,
        product_code,
        law,
        month_start,
        -- fixed-point decimals from here on: their sums and means are exact, so the answer is the same on
        -- every run (a mean of doubles depends on the order parallel threads add them in, and a
        -- value on a rounding boundary moved between runs; test_crash_safety found it)
        cast(sum(case frequency
            when '1' then volume * covered_days
            when '2' then volume * covered_days / 7.0
            when '4' then volume * covered_days / day(last_day(month_start))
            when '6' then case when allocation_start >= month_start then volume else 0 end
        end) as decimal(18, 6)) as allocated_volume

    from (
        select
            *, datediff(
                'day', greatest(allocation_start, month_start),
                least(valid_until, last_day(month_start))
            ) + 1 as covered_days
        from months
    )
    group by all

),

delivered as (

    select
        allocation_id,
        period_month as month_start,
        sum(net_volume) as delivered_volume

    from {{ ref('fct_declaration_lines') }}
    where is_booked
    group by all

),

-- per allocation and period: the volume delivered in the period against the volume allocated in it
ratios as (

    {%- for p, trunc in periods().items() %}
    {{ 'union all' if not loop.first }}
    select
        allocated.*, '{{ p }}' as period_type,
        cast(coalesce(delivered.delivered_volume, 0) / allocated.allocated_volume as decimal(18, 12)) as ratio
    from (
        select
            allocation_id, municipality_code, law, client_key, provider_agb, product_code,
            date_trunc('{{ trunc }}', month_start)::date as period_start, sum(allocated_volume) as allocated_volume
        from allocated
        group by all
    ) as allocated
    left join (
        select allocation_id, date_trunc('{{ trunc }}', month_start)::date as period_start, sum(delivered_volume) as delivered_volume
        from delivered
        group by all
    ) as delivered
        on allocated.allocation_id = delivered.allocation_id and allocated.period_start = delivered.period_start
    where allocated.allocated_volume > 0
    {%- endfor %}

),

answers as (

    {%- set parts = [] %}
    {%- for cs, col in cross_sections(['none', 'provider', 'product']).items() %}
    {%- do parts.append(
        "select 'W25' as question_id, municipality_code, law, period_type, period_start, '" ~ cs
        ~ "' as cross_section, " ~ col ~ " as member, round(100 * avg(ratio), 1) as value, 'percent' as unit, "
        ~ "count(distinct client_key) as n_clients from ratios group by all") %}
    {%- endfor %}
    {{ parts | join('\n    union all\n    ') }}

)

select * from answers
