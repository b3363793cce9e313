-- More answers on clients and their trajectories, per month, quarter and year and in every
-- cross-section the catalogue wants: single or multiple care (W02), recidivism (W23, J11), Jeugd
-- clients aged 18 or over (J09), average care duration (W26 in days, J04 in weeks) and waiting
-- time from request to start (J16). An event (a return, an end, a start after waiting) takes the
-- provider, product and client attributes of its own trajectory, the age at the event's date.
-- Built per year: only years whose input rows changed are computed again (macros/answers_by_year.sql).
-- Grain: question_id, period_type, period_start, cross_section, member, unit.
{{ config(materialized='incremental', incremental_strategy='replace_years', on_schema_change='sync_all_columns') }}
with

care_months_all as (

    select * from {{ ref('fct_care_months') }}

),

trajectories as (

    select * from {{ ref('fct_care_trajectories') }}

),

clients as (

    select * from {{ ref('dim_client') }}

),

recidivism as (

    select * from {{ ref('int_recidivism') }}

),

period as (

    select * from {{ ref('int_reporting_period') }}

),

-- one row per trajectory event with the cross-section attributes of its trajectory and client
{%- set event_attributes %}
        trajectories.municipality_code, trajectories.law, trajectories.client_key, trajectories.provider_agb,
        trajectories.product_code, trajectories.product_category, trajectories.main_group, clients.wijk_code,
        clients.gender
{%- endset %}

returns_all as (

    select
        {{ event_attributes }}, recidivism.start_date as event_date,
        {{ age_group(age_in_months('clients.birth_year_month', 'recidivism.start_date') ~ ' // 12') }} as age_group
    from recidivism
    inner join trajectories
        on recidivism.allocation_id = trajectories.allocation_id
    left join clients
        on trajectories.client_key = clients.client_key
    cross join period
    where recidivism.start_date between period.first_month and last_day(period.last_month)

),

ended_all as (

    select
        {{ event_attributes }}, trajectories.end_date as event_date,
        {{ age_group(age_in_months('clients.birth_year_month', 'trajectories.end_date') ~ ' // 12') }} as age_group,
        datediff('day', trajectories.start_date, trajectories.end_date) + 1 as duration_days
    from trajectories
    left join clients
        on trajectories.client_key = clients.client_key
    cross join period
    where trajectories.end_date between period.first_month and last_day(period.last_month)

),

waited_all as (

    select
        {{ event_attributes }}, trajectories.start_date as event_date,
        {{ age_group(age_in_months('clients.birth_year_month', 'trajectories.start_date') ~ ' // 12') }} as age_group,
        trajectories.waiting_days
    from trajectories
    left join clients
        on trajectories.client_key = clients.client_key
    cross join period
    where
        trajectories.law = 'jeugd' and trajectories.waiting_days is not null
        and trajectories.start_date between period.first_month and last_day(period.last_month)

),

-- the aggregation, also fingerprinted as the definition; sqlfluff cannot lay out a captured block
-- noqa: disable=LT02
{%- set aggregation %}
care_months as (

    {{ with_key_numbers('care_months_by_key', 'client_key') }}

),

-- W02: per client, law and period the number of product categories in care, over all providers;
-- a client counts as single or multiple in every cross-section member it was in care in
client_categories as (

    {%- for p, trunc in periods().items() %}
    {{ 'union all' if not loop.first }}
    select
        municipality_code, law, client_key, '{{ p }}' as period_type,
        date_trunc('{{ trunc }}', month_start)::date as period_start,
        case when count(distinct product_category) = 1 then 'clients_single' else 'clients_multiple' end as care_type
    from care_months
    where law = 'wmo'
    group by all
    {%- endfor %}

),

care_type_months as (

    select care_months.*, client_categories.period_type, client_categories.period_start, client_categories.care_type
    from care_months
    inner join client_categories
        on
            care_months.municipality_code = client_categories.municipality_code
            and care_months.law = client_categories.law
            and care_months.client_key = client_categories.client_key
            and date_trunc(client_categories.period_type, care_months.month_start) = client_categories.period_start

),

answers as (

    -- both kinds in every member, so a member without multiple care reads 0 rather than nothing
    select
        'W02' as question_id, municipality_code, law, period_type, period_start, cross_section, member,
        unnest([single, multiple]) as value, unnest(['clients_single', 'clients_multiple']) as unit,
        unnest([single, multiple]) as n_clients
    from (
        {%- set parts = [] %}
        {%- for p, trunc in periods().items() %}
        {%- for cs, col in cross_sections(['none', 'provider', 'wijk', 'age_group', 'gender']).items() %}
        {%- do parts.append(
            "select municipality_code, law, '" ~ p ~ "' as period_type, period_start, '" ~ cs ~ "' as cross_section, "
            ~ col ~ " as member, count(distinct client_key) filter (where care_type = 'clients_single') as single, "
            ~ "count(distinct client_key) filter (where care_type = 'clients_multiple') as multiple "
            ~ "from care_type_months where period_type = '" ~ p ~ "' group by all") %}
        {%- endfor %}
        {%- endfor %}
        {{ parts | join('\n        union all\n        ') }}
    )

    union all
    select
        case law when 'wmo' then 'W23' else 'J11' end, municipality_code, law, period_type, period_start,
        cross_section, member, clients, 'clients', clients
    from (
        {{ per_period_and_cross_section('returns', 'count(distinct client_key) as clients',
            ['none', 'provider', 'wijk', 'product', 'product_category', 'age_group', 'gender'], 'event_date') }}
    )

    union all
    select 'J09', municipality_code, law, period_type, period_start, cross_section, member, clients, 'clients', clients
    from (
        {{ per_period_and_cross_section(
            "(select * from care_months where law = 'jeugd' and age_years >= 18)",
            'count(distinct client_key) as clients', ['none', 'provider', 'wijk', 'product', 'product_category']) }}
    )

    union all
    select
        case law when 'wmo' then 'W26' else 'J04' end, municipality_code, law, period_type, period_start,
        cross_section, member, round(mean_days / case law when 'wmo' then 1 else 7 end, 1),
        case law when 'wmo' then 'days' else 'weeks' end, clients
    from (
        {{ per_period_and_cross_section('ended', 'avg(duration_days) as mean_days, count(distinct client_key) as clients',
            ['none', 'provider', 'product', 'product_category', 'main_group', 'wijk'], 'event_date') }}
    )

    union all
    select 'J16', municipality_code, law, period_type, period_start, cross_section, member, round(mean_days, 1), 'days', clients
    from (
        {{ per_period_and_cross_section('waited', 'avg(waiting_days) as mean_days, count(distinct client_key) as clients',
            ['none', 'provider', 'product', 'product_category', 'wijk'], 'event_date') }}
    )

)
{%- endset %}
-- noqa: enable=LT02

-- the rows the aggregation reads, of the years to build only (fingerprints, years_to_build, then one CTE per name)
{{ rows_in_years_to_build({
    'care_months_by_key': ['care_months_all', 'month_start'],
    'returns': ['returns_all', 'event_date'],
    'ended': ['ended_all', 'event_date'],
    'waited': ['waited_all', 'event_date'],
}, aggregation) }}
{{ aggregation }}

{{ answers_with_fingerprints('answers') }}
