-- Answers about money: booked amount (W08, J07) per period and cross-section; budget (W11),
-- utilisation in euros (W10; J08) and percent (W09; J08) per year and main group: J08 asks
-- for both, "in € en %". Booked is care in kind (accepted invoice lines) plus personal budgets (the
-- SVB's payments), both by the month the care was given; the financing cross-section splits them.
-- Grain: question_id, period, cross-section, member.
with

booked_lines as (

    select * from {{ ref('fct_booked_money') }}

),

lines as (

    -- client_key as a number within this model: distinct counts of numbers are faster
    {{ with_key_numbers('booked_lines', 'client_key') }}

),

realisation as (

    select * from {{ ref('fct_budget_realisation') }}

),

svb_feeds as (

    select * from {{ ref('int_feed_deliveries') }}
    where source = 'svb'

),

booked as (

    {{ per_period_and_cross_section('lines', 'sum(amount_cents) / 100.0 as value, count(distinct client_key) as n_clients',
        ['none', 'provider', 'product', 'product_category', 'main_group', 'financing'], month='care_month',
        with_pgb=true) }}

),

answers as (

    select
        case law when 'wmo' then 'W08' else 'J07' end as question_id, municipality_code, law, period_type,
        period_start, cross_section, member, value, 'euro' as unit, n_clients
    from booked
    {%- for cs, col in [('none', "'totaal'"), ('main_group', 'main_group')] %}
    union all
    select
        'W11', municipality_code, law, 'year', make_date(budget_year, 1, 1), '{{ cs }}', {{ col }},
        sum(budget_cents) / 100.0, 'euro', null
    from realisation
    where law = 'wmo' and budget_cents is not null
    group by all
    union all
    select
        case law when 'wmo' then 'W10' else 'J08' end, municipality_code, law, 'year', make_date(budget_year, 1, 1),
        '{{ cs }}', {{ col }}, sum(booked_cents) / 100.0, 'euro', null
    from realisation
    group by all
    union all
    select
        case law when 'wmo' then 'W09' else 'J08' end, municipality_code, law, 'year', make_date(budget_year, 1, 1), '{{ cs }}',
        {{ col }}, round(100.0 * sum(booked_cents) / nullif(sum(budget_cents), 0), 1), 'percent', null
    from realisation
    group by all
    {%- endfor %}
    {#- the split per financing; pgb only where the SVB delivers both its feeds (without them 0 would read as "no pgb") #}
    {%- for financing in ['zin', 'pgb'] %}
    union all
    select
        case law when 'wmo' then 'W10' else 'J08' end, municipality_code, law, 'year', make_date(budget_year, 1, 1),
        'financing', '{{ financing }}', sum(booked_{{ 'in_kind' if financing == 'zin' else 'pgb' }}_cents) / 100.0,
        'euro', null
    from realisation
    {{ "where (select bool_and(is_delivered) from svb_feeds)" if financing == 'pgb' }}
    group by all
    union all
    select
        case law when 'wmo' then 'W09' else 'J08' end, municipality_code, law, 'year', make_date(budget_year, 1, 1),
        'financing', '{{ financing }}',
        round(100.0 * sum(booked_{{ 'in_kind' if financing == 'zin' else 'pgb' }}_cents) / nullif(sum(budget_cents), 0), 1),
        'percent', null
    from realisation
    {{ "where (select bool_and(is_delivered) from svb_feeds)" if financing == 'pgb' }}
    group by all
    {%- endfor %}

)

select * from answers
