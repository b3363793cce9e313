-- Answers about clients in care and provisions (W01, W06, J01, J06), inflow and outflow
-- (W03, W04, J02, J03), per period and cross-section. Grain: question_id, period, cross-section, member.
with

care_months as (

    select * from {{ ref('fct_care_months') }}

),

flows as (

    select * from {{ ref('fct_client_flows') }}

),

flow_months as (

    -- the care months in which a client flowed in or out, with every cross-section attribute
    select care_months.*, flows.flow = 'instroom' as is_inflow, flows.flow = 'uitstroom' as is_outflow
    from care_months
    inner join flows using (law, client_key, month_start)

),

in_care as (

    -- clients and allocations in one pass: the clients are also the n_clients of the allocations
    {{ per_period_and_cross_section('care_months',
        'count(distinct client_key) as clients, count(distinct allocation_id) as allocations') }}

),

flowing as (

    {{ per_period_and_cross_section('flow_months',
        'count(distinct client_key) filter (where is_inflow) as inflow, '
        ~ 'count(distinct client_key) filter (where is_outflow) as outflow') }}

),

answers as (

    select case law when 'wmo' then 'W01' else 'J01' end as question_id, municipality_code, law, period_type,
           period_start, cross_section, member, clients as value, 'clients' as unit, clients as n_clients
    from in_care
    union all
    select case law when 'wmo' then 'W06' else 'J06' end, municipality_code, law, period_type,
           period_start, cross_section, member, allocations, 'allocations', clients
    from in_care
    union all
    select case law when 'wmo' then 'W03' else 'J02' end, municipality_code, law, period_type,
           period_start, cross_section, member, inflow, 'clients', inflow
    from flowing where inflow > 0
    union all
    select case law when 'wmo' then 'W04' else 'J03' end, municipality_code, law, period_type,
           period_start, cross_section, member, outflow, 'clients', outflow
    from flowing where outflow > 0

)

select * from answers
