-- Waiting: clients on the Wmo waiting list at the end of each month (W07, SUITE4 snapshot),
-- and Jeugd clients in care who turned 17.5 without a request (315, either law) for care after
-- 18, received between the month they turned 17.5 and the end of the month they turned 18 (J10).
-- Grain: question_id, period_type, period_start, cross_section, member.
with

waiting_list as (

    select * from {{ ref('stg_suite4__wachtlijst') }}

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

    select distinct care_months.municipality_code, care_months.client_key, care_months.month_start
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

answers as (

    select
        'W07' as question_id, clients.municipality_code, waiting_list.law, 'month' as period_type,
        date_trunc('month', waiting_list.reference_date)::date as period_start, 'none' as cross_section,
        'totaal' as member, count(distinct client_key) as value, 'clients' as unit,
        count(distinct client_key) as n_clients
    from waiting_list
    left join clients using (client_key)
    where waiting_list.law = 'wmo'
    group by all

    {%- for p in ['month', 'year'] %}
    union all
    select
        'J10', municipality_code, 'jeugd', '{{ p }}', date_trunc('{{ p }}', month_start)::date, 'none', 'totaal',
        count(distinct client_key), 'clients', count(distinct client_key)
    from without_request
    group by all
    {%- endfor %}

)

select * from answers
