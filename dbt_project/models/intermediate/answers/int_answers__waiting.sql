-- Waiting: clients on the Wmo waiting list at the end of each month (W07, SUITE4 snapshot),
-- and Jeugd clients in care who turned 17.5 without a request (315, either law) for care after
-- 18, received between the month they turned 17.5 and the end of the month they turned 18 (J10).
-- Both by provider, product and wijk: the waiting list names the provider and product it waits for,
-- a youth counts with every provider and product in care in the month they turned 17.5.
-- Grain: question_id, period_type, period_start, cross_section, member.
with

waiting_list as (

    select * from {{ ref('stg_suite4__wachtlijst') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

care_months as (

    select * from {{ ref('fct_care_months') }}

),

clients as (

    select * from {{ ref('dim_client') }}

),

requests as (

    select client_key, request_date from {{ ref('stg_ist__verzoeken_toewijzing') }}

),

turning_17_5 as (

    select care_months.*
    from care_months
    inner join clients using (client_key)
    where
        care_months.law = 'jeugd'
        and {{ age_in_months('clients.birth_year_month', 'care_months.month_start') }} = 210

),

without_request as (

    select turning_17_5.*
    from turning_17_5
    where not exists (
        select 1 from requests
        where
            requests.client_key = turning_17_5.client_key
            and requests.request_date between turning_17_5.month_start
            and last_day(turning_17_5.month_start + interval 6 month)
    )

),

waiting as (

    select
        clients.municipality_code, waiting_list.law, waiting_list.reference_date, waiting_list.client_key,
        waiting_list.provider_agb, waiting_list.product_code, products.product_category, clients.wijk_code
    from waiting_list
    left join clients
        on waiting_list.client_key = clients.client_key
    left join products
        on clients.municipality_code = products.municipality_code and waiting_list.product_code = products.product_code
    where waiting_list.law = 'wmo'

),

answers as (

    -- the waiting list is a snapshot at the end of each month: a quarter or year would count one
    -- client many times over, so W07 is a month figure only
    select
        'W07' as question_id, municipality_code, law, period_type, period_start, cross_section, member,
        clients as value, 'clients' as unit, clients as n_clients
    from (
        {{ per_period_and_cross_section('waiting', 'count(distinct client_key) as clients',
            ['none', 'provider', 'product', 'product_category', 'wijk'], 'reference_date', ['month']) }}
    )

    union all
    select 'J10', municipality_code, law, period_type, period_start, cross_section, member, clients, 'clients', clients
    from (
        {{ per_period_and_cross_section('without_request', 'count(distinct client_key) as clients',
            ['none', 'provider', 'wijk', 'product', 'product_category']) }}
    )

)

select * from answers
