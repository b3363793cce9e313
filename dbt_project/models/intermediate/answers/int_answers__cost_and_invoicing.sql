-- More answers on money per year: average cost per client in care (W27, J15), the top 20
-- most expensive clients (J12), the number of clients causing 80% of the cost (J13), average
-- care intensity per client-month (J14), invoices submitted on time (W24) and the share of
-- clients in care with a payment (W05, J05).
-- Grain: question_id, period_type, period_start, cross_section, member.
with

lines as (

    select *, date_trunc('year', period_month)::date as year_start
    from {{ ref('fct_declaration_lines') }}

),

care_months as (

    select *, date_trunc('year', month_start)::date as year_start from {{ ref('fct_care_months') }}

),

payments as (

    select client_key, date_trunc('year', period_start)::date as year_start
    from {{ ref('stg_suite4__betalingen') }}

),

in_care as (

    select
        municipality_code, law, year_start, count(distinct client_key) as clients,
        count(distinct(client_key, month_start)) as client_months
    from care_months
    group by all

),

cost_per_client as (

    select municipality_code, law, year_start, client_key, sum(amount_cents) / 100.0 as euro
    from lines
    where is_booked
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

paid as (

    select distinct care_months.municipality_code, care_months.law, care_months.year_start, care_months.client_key
    from care_months
    inner join payments
        on care_months.client_key = payments.client_key and care_months.year_start = payments.year_start

),

answers as (

    select
        case in_care.law when 'wmo' then 'W27' else 'J15' end as question_id, in_care.municipality_code, in_care.law,
        'year' as period_type, in_care.year_start as period_start, 'none' as cross_section, 'totaal' as member,
        round(sum(cost_per_client.euro) / in_care.clients, 2) as value, 'euro' as unit,
        in_care.clients as n_clients
    from in_care
    inner join cost_per_client using (municipality_code, law, year_start)
    group by in_care.municipality_code, in_care.law, in_care.year_start, in_care.clients

    union all
    select
        'J14', in_care.municipality_code, in_care.law, 'year', in_care.year_start, 'none', 'totaal',
        round(sum(cost_per_client.euro) / in_care.client_months, 2), 'euro', in_care.clients
    from in_care
    inner join cost_per_client using (municipality_code, law, year_start)
    where in_care.law = 'jeugd'
    group by in_care.municipality_code, in_care.law, in_care.year_start, in_care.clients, in_care.client_months

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
    select
        'W24', municipality_code, law, 'year', year_start, 'none', 'totaal',
        round(100.0 * count(*) filter (where submitted_on_time) / count(*), 1), 'percent', count(distinct client_key)
    from lines
    where law = 'wmo'
    group by all

    union all
    select
        case in_care.law when 'wmo' then 'W05' else 'J05' end, in_care.municipality_code, in_care.law, 'year', in_care.year_start,
        'none', 'totaal', round(100.0 * count(paid.client_key) / in_care.clients, 1), 'percent', in_care.clients
    from in_care
    left join paid using (municipality_code, law, year_start)
    group by in_care.municipality_code, in_care.law, in_care.year_start, in_care.clients

)

select * from answers
