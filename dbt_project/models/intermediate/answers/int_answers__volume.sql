-- Use of the allocated volume (verzilvering, W25) per year: per allocation, the net delivered
-- volume of its booked invoice lines divided by the volume it grants over its validity in
-- that year (per day x days, per week x days / 7, per month x days / days in the month, a
-- total once in the month it starts); the answer is the mean of these ratios in percent.
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
        law,
        year(month_start) as year,
        sum(case frequency
            when '1' then volume * covered_days
            when '2' then volume * covered_days / 7.0
            when '4' then volume * covered_days / day(last_day(month_start))
            when '6' then case when allocation_start >= month_start then volume else 0 end
        end) as allocated_volume

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
        year(period_month) as year,
        sum(case when debit_credit = 'C' then -delivered_volume else delivered_volume end) as delivered_volume

    from {{ ref('fct_declaration_lines') }}
    where is_booked
    group by all

),

answers as (

    select
        'W25' as question_id, allocated.municipality_code, allocated.law, 'year' as period_type,
        make_date(allocated.year, 1, 1) as period_start, 'none' as cross_section, 'totaal' as member,
        round(100 * avg(coalesce(delivered.delivered_volume, 0) / allocated.allocated_volume), 1) as value,
        'percent' as unit, count(distinct allocated.client_key) as n_clients

    from allocated
    left join delivered
        on allocated.allocation_id = delivered.allocation_id and allocated.year = delivered.year
    where allocated.allocated_volume > 0
    group by all

)

select * from answers
