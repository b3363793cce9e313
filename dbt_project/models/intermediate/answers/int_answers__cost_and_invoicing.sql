-- More answers on money, per month, quarter and year and in the cross-sections the catalogue wants:
-- average cost per client in care (W27, J15), care intensity (J14), invoices submitted on time
-- (W24) and the share of clients in care with a payment (W05, J05); per year the top 20 most
-- expensive clients (J12) and the number of clients causing 80% of the cost (J13).
-- A care month is a month a client is in care (with the member: the provider, product, ...), counted
-- once however many allocations run in it; docs/definitions.md says why each figure is defined so.
-- Money and clients include personal budgets (pgb: the SVB's payments, the months a grant runs), split
-- by the financing cross-section; J14's units exist for care in kind only, so J14 stays in kind.
-- Built per year: only years whose input rows changed are computed again (macros/answers_by_year.sql).
-- Grain: question_id, period_type, period_start, cross_section, member, unit.
{{ config(materialized='incremental', incremental_strategy='replace_years', on_schema_change='sync_all_columns') }}
with

lines as (

    select * from {{ ref('fct_declaration_lines') }}

),

booked_lines_all as (

    select *
    from lines
    where is_booked

),

care_months_all as (

    select * from {{ ref('fct_care_months') }}

),

pgb_payments as (

    select * from {{ ref('fct_pgb_payments') }}
    where is_booked

),

booked_all_rows as (

    select * from {{ ref('fct_booked_money') }}

),

support_months_all as (

    select * from {{ ref('fct_support_months') }}

),

trajectories as (

    select * from {{ ref('fct_care_trajectories') }}

),

payments as (

    select * from {{ ref('stg_suite4__betalingen') }}

),

period as (

    select * from {{ ref('int_reporting_period') }}

),

-- W05/J05: a payment counts for the law, provider and category of the allocation it pays for; a pgb
-- payment for its grant's law and category, in the month of care
paid_months_all as (

    select
        trajectories.municipality_code, trajectories.law, trajectories.client_key, payments.provider_agb,
        trajectories.product_category, date_trunc('month', payments.period_start)::date as month_start,
        'zin' as financing
    from payments
    inner join trajectories
        on payments.allocation_id = trajectories.allocation_id
    union all
    select municipality_code, law, client_key, null, product_category, care_month, 'pgb'
    from pgb_payments

),

-- W24: the lines the municipality accepted, for care in the reporting period
invoiced_all as (

    select lines.*
    from lines
    cross join period
    where lines.law = 'wmo' and lines.is_booked and lines.period_month >= period.first_month

),

{%- set money_sections = ['none', 'provider', 'product', 'product_category', 'main_group'] %}
-- the aggregation, also fingerprinted as the definition; sqlfluff cannot lay out a captured block
-- noqa: disable=LT02
{%- set aggregation %}
support_months as (

    {{ with_key_numbers('support_months_by_key', 'client_key') }}

),

care_months as (

    {{ with_key_numbers('care_months_by_key', 'client_key') }}

),
-- W27/J15: euros of care in kind and pgb per client with support, per member
money_all as (

    select *
    from (
        {{ per_period_and_cross_section('booked_all', 'sum(amount_cents) / 100.0 as euro',
            money_sections + ['financing'], 'care_month', with_pgb=true) }}
    )
    inner join (
        {{ per_period_and_cross_section('support_months', 'count(distinct client_key) as clients',
            money_sections + ['financing'], with_pgb=true) }}
    ) using (municipality_code, law, period_type, period_start, cross_section, member)

),

-- J14: euros and delivered units of care in kind per member; clients and care months in care per member
booked_per_member as (

    {{ per_period_and_cross_section('booked', 'sum(amount_cents) / 100.0 as euro, sum(net_volume) as units',
        money_sections, 'period_month') }}

),

clients_per_member as (

    {{ per_period_and_cross_section('care_months', 'count(distinct client_key) as clients', money_sections) }}

),

care_months_per_member as (

    {{ per_period_and_cross_section('care_months', 'count(distinct (client_key, month_start)) as care_months',
        money_sections) }}

),

money as (

    select *
    from booked_per_member
    inner join clients_per_member using (municipality_code, law, period_type, period_start, cross_section, member)
    inner join care_months_per_member using (municipality_code, law, period_type, period_start, cross_section, member)

),

in_care_clients as (

    {{ per_period_and_cross_section('support_months_by_key', 'client_key',
        ['none', 'provider', 'product_category', 'financing'], with_pgb=true) }}

),

paid_clients as (

    {{ per_period_and_cross_section('paid_months', 'client_key',
        ['none', 'provider', 'product_category', 'financing'], with_pgb=true) }}

),

cost_per_client as (

    select
        municipality_code,
        law,
        date_trunc('year', care_month)::date as year_start,
        client_key,
        sum(amount_cents) / 100.0 as euro
    from booked_all
    group by all

),

ranked as (

    select
        *,
        row_number() over (partition by municipality_code, law, year_start order by euro desc, client_key)
            as cost_rank,
        sum(euro) over (
            partition by municipality_code, law, year_start order by euro desc, client_key
            rows between unbounded preceding and current row
        ) as cumulative,
        sum(euro) over (partition by municipality_code, law, year_start) as total
    from cost_per_client

),

answers as (

    select
        case law when 'wmo' then 'W27' else 'J15' end as question_id, municipality_code, law, period_type,
        period_start, cross_section, member, round(euro / clients, 2) as value, 'euro' as unit, clients as n_clients
    from money_all

    union all
    -- intensity: units per care month, comparable within one product only; elsewhere (and per
    -- product too) the cost of a care month, which is intensity times price
    select
        'J14', municipality_code, law, period_type, period_start, cross_section, member,
        round(euro / care_months, 2), 'euro_per_care_month', clients
    from money
    where law = 'jeugd' and cross_section <> 'main_group'
    union all
    select
        'J14', municipality_code, law, period_type, period_start, cross_section, member,
        round(units / care_months, 2), 'units_per_care_month', clients
    from money
    where law = 'jeugd' and cross_section = 'product'

    union all
    select
        'J12', municipality_code, law, 'year', year_start, 'rank', lpad(cost_rank::varchar, 2, '0') || ' ' || client_key,
        euro, 'euro', 1
    from ranked
    where law = 'jeugd' and cost_rank <= 20

    union all
    -- the smallest number of clients whose costs reach 80% of the total
    select 'J13', municipality_code, law, 'year', year_start, 'none', 'totaal', min(cost_rank), 'clients', min(cost_rank)
    from ranked
    where law = 'jeugd' and cumulative >= 0.8 * total
    group by all

    union all
    select 'W24', municipality_code, law, period_type, period_start, cross_section, member, value, 'percent', clients
    from (
        {{ per_period_and_cross_section('invoiced',
            'round(100.0 * count(*) filter (where submitted_on_time) / count(*), 1) as value, '
            ~ 'count(distinct client_key) as clients', ['none', 'provider'], 'period_month') }}
    )

    union all
    select
        case in_care.law when 'wmo' then 'W05' else 'J05' end, in_care.municipality_code, in_care.law,
        in_care.period_type, in_care.period_start, in_care.cross_section, in_care.member,
        round(100.0 * count(paid.client_key) / count(*), 1), 'percent', count(*)
    from in_care_clients as in_care
    left join paid_clients as paid
        using (municipality_code, law, period_type, period_start, cross_section, member, client_key)
    group by all

)
{%- endset %}
-- noqa: enable=LT02

-- the rows the aggregation reads, of the years to build only (fingerprints, years_to_build, then one CTE per name)
{{ rows_in_years_to_build({
    'booked_all': ['booked_all_rows', 'care_month'],
    'support_months_by_key': ['support_months_all', 'month_start'],
    'booked': ['booked_lines_all', 'period_month'],
    'care_months_by_key': ['care_months_all', 'month_start'],
    'paid_months': ['paid_months_all', 'month_start'],
    'invoiced': ['invoiced_all', 'period_month'],
}, aggregation) }}
{{ aggregation }}

{{ answers_with_fingerprints('answers') }}
