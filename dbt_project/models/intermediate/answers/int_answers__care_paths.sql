-- More answers on clients per year and quarter: single or multiple care (W02), recidivism
-- (W23, J11), Jeugd clients aged 18 or over (J09), average care duration (W26 in days, J04
-- in weeks) and waiting time from request to start (J16).
-- Grain: question_id, period_type, period_start, cross_section, member.
with

care_months as (

    select * from {{ ref('fct_care_months') }}

),

trajectories as (

    select * from {{ ref('fct_care_trajectories') }}

),

period as (

    select * from {{ ref('int_reporting_period') }}

),

{%- set periods = {'quarter': 'quarter', 'year': 'year'} %}

categories_per_client as (

    {%- for p in periods %}
    {{ 'union all' if not loop.first }}
    select
        municipality_code, law, '{{ p }}' as period_type, date_trunc('{{ p }}', month_start)::date as period_start,
        client_key,
        count(distinct product_category) as categories
    from care_months
    group by all
    {%- endfor %}

),

recidivism as (

    select recidivism.*
    from {{ ref('int_recidivism') }} as recidivism
    cross join period
    where recidivism.start_date between period.first_month and last_day(period.last_month)

),

ended as (

    select *, datediff('day', start_date, end_date) + 1 as duration_days
    from trajectories cross join period
    where end_date between period.first_month and last_day(period.last_month)

),

waited as (

    select * from trajectories cross join period
    where waiting_days is not null and start_date between period.first_month and last_day(period.last_month)

),

answers as (

    {%- for p in periods %}
    {{ 'union all' if not loop.first }}
    select
        'W02' as question_id, municipality_code, law, period_type, period_start, 'care_type' as cross_section,
        case when categories = 1 then 'enkelvoudig' else 'meervoudig' end as member,
        count(*) as value, 'clients' as unit, count(*) as n_clients
    from categories_per_client
    where law = 'wmo' and period_type = '{{ p }}'
    group by all
    union all
    select
        case law when 'wmo' then 'W23' else 'J11' end, municipality_code, law, '{{ p }}', date_trunc('{{ p }}', start_date)::date,
        'none', 'totaal', count(distinct client_key), 'clients', count(distinct client_key)
    from recidivism
    group by all
    union all
    select
        'J09', municipality_code, law, '{{ p }}', date_trunc('{{ p }}', month_start)::date, 'none', 'totaal',
        count(distinct client_key), 'clients', count(distinct client_key)
    from care_months
    where law = 'jeugd' and age_years >= 18
    group by all
    union all
    select
        case law when 'wmo' then 'W26' else 'J04' end, municipality_code, law, '{{ p }}', date_trunc('{{ p }}', end_date)::date,
        'none', 'totaal',
        round(avg(duration_days / case law when 'wmo' then 1 else 7 end), 1),
        case law when 'wmo' then 'days' else 'weeks' end, count(distinct client_key)
    from ended
    group by all
    union all
    select
        'J16', municipality_code, law, '{{ p }}', date_trunc('{{ p }}', start_date)::date, 'none', 'totaal',
        round(avg(waiting_days), 1), 'days', count(distinct client_key)
    from waited
    where law = 'jeugd'
    group by all
    {%- endfor %}

)

select * from answers
