-- Answers about clients in care and provisions (W01, W06, J01, J06), inflow and outflow
-- (W03, W04, J02, J03), per period and cross-section. In care means in kind or with a personal budget
-- (fct_support_months), so a client with both is counted once; the financing cross-section splits them
-- (a client with both under one law in one period counts in both members).
-- Grain: question_id, period, cross-section, member.
{%- set questions = {
    'clients_in_care': {'wmo': 'W01', 'jeugd': 'J01'},
    'provisions': {'wmo': 'W06', 'jeugd': 'J06'},
} %}
with

care_months_by_key as (

    select * from {{ ref('fct_support_months') }}

),

flows as (

    select * from {{ ref('fct_client_flows') }}

),

flow_months_by_key as (

    -- the care months in which a client flowed in or out, with every cross-section attribute
    select care_months_by_key.*, flows.flow = 'instroom' as is_inflow, flows.flow = 'uitstroom' as is_outflow
    from care_months_by_key
    inner join flows using (law, client_key, month_start)

),

-- from here on client_key is a number within this model: distinct counts of numbers are faster
care_months as (

    {{ with_key_numbers('care_months_by_key', 'client_key') }}

),

flow_months as (

    {{ with_key_numbers('flow_months_by_key', 'client_key') }}

),

answers as (

    {%- set parts = [] %}
    {%- for period, trunc in periods().items() %}
    {%- for cs, col in support_cross_sections(none).items() %}
    {%- for measure, qids in questions.items() %}
    {%- do parts.append(
        "select case law when 'wmo' then '" ~ qids['wmo'] ~ "' else '" ~ qids['jeugd'] ~ "' end as question_id, municipality_code, law, '"
        ~ period ~ "' as period_type, date_trunc('" ~ trunc ~ "', month_start)::date as period_start, '"
        ~ cs ~ "' as cross_section, " ~ col ~ " as member, "
        ~ ("count(distinct client_key)" if measure == 'clients_in_care' else "count(distinct allocation_id)")
        ~ " as value, '" ~ ('clients' if measure == 'clients_in_care' else 'allocations')
        ~ "' as unit, count(distinct client_key) as n_clients from care_months group by all") %}
    {%- endfor %}
    {%- for measure, flag, qw, qj in [('inflow', 'is_inflow', 'W03', 'J02'), ('outflow', 'is_outflow', 'W04', 'J03')] %}
    {%- do parts.append(
        "select case law when 'wmo' then '" ~ qw ~ "' else '" ~ qj ~ "' end, municipality_code, law, '" ~ period
        ~ "', date_trunc('" ~ trunc ~ "', month_start)::date, '" ~ cs ~ "', " ~ col
        ~ ", count(distinct client_key), 'clients', count(distinct client_key) from flow_months where "
        ~ flag ~ " group by all") %}
    {%- endfor %}
    {%- endfor %}
    {%- endfor %}
    {{ parts | join('\n    union all\n    ') }}

)

select * from answers
